"""The migration scripts, applied in revision order by `Database.migrate`."""
