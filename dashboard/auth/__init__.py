"""Access control: accounts, login, sessions, web security and the audit log (issue 4).

``install_auth(app, ...)`` wires everything onto a Dash app's Flask server; the pages only ever
ask ``dashboard.viewer_context.current_viewer()`` who is looking.
"""
