"""Case pages, one module per concern. Each view: decorate, fetch through
security.permissions, validate with a form, call one model method, respond."""
