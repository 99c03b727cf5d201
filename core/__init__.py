"""The shared service core of dso-platform. It knows no region by name and reaches regions only through hooks."""
