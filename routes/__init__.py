"""One blueprint per domain, each ending with its ``Domain`` declaration (utils/domains.py);
app.py lists the domains and registers them under /api."""
