def register_error_handlers(app):
    pass
