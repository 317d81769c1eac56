"""The API's request and response models, one module per noun: `XCreate`, `XUpdate`, `XPublic`.

They are not the domain's objects and not the tables: each module converts a domain record
to its public form in one place (`public(...)`), and requests to service arguments in the
route that calls the service.
"""
