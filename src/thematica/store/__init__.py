"""Storage: schema, migrations, engine set-up and recorded row changes."""
