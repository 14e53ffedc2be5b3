"""Failed logins are throttled per client address, with a delay that doubles after five failures."""

from tests.app.fakes import run
from webui.auth import FREE_FAILURES, LoginThrottle


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def login_app(accepted: str):
    """An ASGI app answering POST /login: 200 for the right password (sent as the body), else 400."""

    async def app(scope, receive, send):
        body = (await receive())["body"].decode()
        await send({"type": "http.response.start", "status": 200 if body == accepted else 400, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


def post(throttle, password: str, client: str = "10.0.0.1", path: str = "/login") -> int:
    sent = []

    async def receive():
        return {"type": "http.request", "body": password.encode(), "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "client": (client, 5555)}
    run(throttle(scope, receive, send))
    return sent[0]["status"]


def test_after_five_failures_each_try_waits_twice_as_long():
    clock = Clock()
    throttle = LoginThrottle(login_app("right"), clock=clock)
    assert [post(throttle, "wrong") for _ in range(FREE_FAILURES - 1)] == [400] * (FREE_FAILURES - 1)
    assert post(throttle, "wrong") == 400  # the fifth failure starts the delay: 1 s
    assert post(throttle, "right") == 429  # even the right password waits
    assert post(throttle, "wrong", client="10.0.0.2") == 400  # another address is not held up
    clock.now += 1.1
    assert post(throttle, "wrong") == 400  # now 2 s
    clock.now += 1.5
    assert post(throttle, "wrong") == 429
    clock.now += 0.6
    assert post(throttle, "wrong") == 400  # now 4 s
    clock.now += 3.9
    assert post(throttle, "right") == 429
    clock.now += 0.2
    assert post(throttle, "right") == 200
    assert throttle.wait_left("10.0.0.1") == 0 and post(throttle, "wrong") == 400  # a success forgets the failures


def test_other_requests_pass_untouched():
    throttle = LoginThrottle(login_app("right"), clock=Clock())
    for _ in range(FREE_FAILURES + 3):
        post(throttle, "wrong")
    assert post(throttle, "anything", path="/gradio_api/info") == 400  # not /login: passed through to the app
