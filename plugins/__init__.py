"""Region plugins bundled with the platform, one package per region."""
