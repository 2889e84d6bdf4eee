from chalice import Chalice

from chalicelib import api, handlers

app = Chalice(app_name="satupintu", configure_logs=False)  # JSON logs: chalicelib/logs.py

for blueprint in (*api.BLUEPRINTS, *handlers.BLUEPRINTS):
    app.register_blueprint(blueprint)
