"""The light web pages for customers: server-rendered HTML, no JavaScript, printable."""
