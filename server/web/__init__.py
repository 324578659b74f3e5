"""The HTTP edge: routes, error answers, and :func:`server.web.app.create_app`."""
