from chalicelib import coldstart

coldstart.begin()  # first: in Lambda, no garbage collections until the first event is handled

from chalice import Chalice  # noqa: E402

from chalicelib import api, handlers  # noqa: E402

app = Chalice(app_name="satupintu", configure_logs=False)  # JSON logs: chalicelib/logs.py
app.register_middleware(coldstart.middleware, "all")

for blueprint in (*api.BLUEPRINTS, *handlers.BLUEPRINTS):
    app.register_blueprint(blueprint)
