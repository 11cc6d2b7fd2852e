"""Managing an organization's catalog and settings: resources, services, rules, custom
fields, customers, website, members and keys.

The staff admin and the management API call these functions. Each takes the organization
first, validates what it is given (raising ``ValidationFailed`` with the field's name), looks
every referenced row up within the organization, flushes and never commits."""
