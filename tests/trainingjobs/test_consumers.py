"""The live dashboard's websockets: who may connect, what arrives, in which order, and
what a misbehaving client gets. ``WebsocketCommunicator`` against the real routes; events
are published from another thread, as a worker does, onto the registered loop."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from trainingjobs import consumers, event_progress, event_replay, event_sending, events
from trainingjobs.models import JobEvent, Trial
from trainingjobs.routing import websocket_urlpatterns

from .engine_helpers import make_job

# Transactional, as the consumers run in production: channels' database_sync_to_async
# closes connections it finds outside autocommit, so inside a test's wrapping transaction
# PostgreSQL's connection would be closed under the next query. Publishing from a worker
# thread writes from another connection, too.
pytestmark = pytest.mark.django_db(transaction=True)
in_threads = pytestmark

APP = URLRouter(websocket_urlpatterns)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_progress_throttle(monkeypatch: Any) -> None:
    # Job ids come back after a transactional test's flush: no throttling across tests.
    monkeypatch.setattr(
        event_progress,
        "_throttle",
        event_progress.ProgressThrottle(event_progress.PROGRESS_INTERVAL_S),
    )


@pytest.fixture
def publish(django_capture_on_commit_callbacks: Any) -> Callable[..., None]:
    """``events.publish`` with its on-commit work done and its sends out before it returns
    (else a send could reach a socket that connects later, at any point of its test)."""

    def publish_committed(job_id: int, type: str, data: dict[str, Any]) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(job_id, type, data)
        event_sending.wait_sent()

    return publish_committed


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run ``scenario`` on a loop registered as serve registers its own.

    Through ``async_to_sync``: the consumers' database calls then run in this thread,
    inside the test's transaction.
    """

    async def main() -> None:
        event_sending.register_loop(asyncio.get_running_loop())
        try:
            await asyncio.wait_for(scenario(), timeout=20)
        finally:
            event_sending.register_loop(None)

    async_to_sync(main)()


def connect_to(path: str, user: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(APP, path)
    communicator.scope["user"] = user
    return communicator


def in_worker_thread(fn: Callable[[], None]) -> None:
    """Run ``fn`` in a thread of its own, as a huey worker thread would publish."""
    thread = threading.Thread(target=fn)
    thread.start()
    thread.join()


async def publish_from_worker(job_id: int, type: str, data: dict[str, Any]) -> None:
    await asyncio.get_running_loop().run_in_executor(
        None, in_worker_thread, lambda: events.publish(job_id, type, data)
    )


async def received(communicator: WebsocketCommunicator, n: int) -> list[dict[str, Any]]:
    return [await communicator.receive_json_from(timeout=5) for _ in range(n)]


def test_a_job_socket_is_refused_without_login(alice: Any) -> None:
    job = make_job(alice)

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{job.pk}/", AnonymousUser())
        connected, code = await communicator.connect()
        assert (connected, code) == (False, consumers.CLOSE_FORBIDDEN)

    run(scenario)


def test_a_job_socket_is_refused_for_another_users_job(alice: Any, bob: Any) -> None:
    job = make_job(alice)

    async def scenario() -> None:
        for path in (f"/ws/jobs/{job.pk}/", f"/ws/jobs/{job.pk + 1000}/"):
            connected, code = await connect_to(path, bob).connect()
            assert (connected, code) == (False, consumers.CLOSE_FORBIDDEN)

    run(scenario)


def test_staff_may_watch_any_job(alice: Any, staff: Any) -> None:
    job = make_job(alice)

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{job.pk}/", staff)
        assert (await communicator.connect())[0]
        await communicator.disconnect()

    run(scenario)


@in_threads
def test_an_event_published_by_a_worker_thread_reaches_the_owner_at_once(alice: Any) -> None:
    job = make_job(alice)

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{job.pk}/", alice)
        assert (await communicator.connect())[0]
        started = time.monotonic()
        await publish_from_worker(job.pk, "trial.reported", {"trial": 1, "points": [[1, 0.5]]})
        event = await communicator.receive_json_from(timeout=2)
        assert time.monotonic() - started < 1.0
        assert event == {
            "type": "trial.reported",
            "seq": 1,
            "job": job.pk,
            "trial": 1,
            "points": [[1, 0.5]],
        }
        await communicator.disconnect()

    run(scenario)
    assert list(JobEvent.objects.values_list("seq", "type")) == [(1, "trial.reported")]


def test_events_are_numbered_per_job_and_non_finite_values_are_strict_json(
    alice: Any, publish: Any
) -> None:
    first, second = make_job(alice), make_job(alice)
    publish(first.pk, "trial.reported", {"points": [[1, float("nan")], [2, float("inf")]]})
    publish(second.pk, "job.status", {"status": "running"})
    publish(first.pk, "job.status", {"status": "running"})
    assert events.last_seq(first.pk) == 2 and events.last_seq(second.pk) == 1
    missed, complete = event_replay.since(first.pk, 0)
    assert complete and [e["seq"] for e in missed] == [1, 2]
    assert missed[0]["points"] == [[1, None], [2, "inf"]]


def test_a_publisher_that_loses_the_race_for_a_number_takes_the_next(
    alice: Any, monkeypatch: Any, publish: Any
) -> None:
    job = make_job(alice)
    publish(job.pk, "trial.started", {"trial": 1})
    stale = [0]  # the first read was made before the other publisher's event 1 committed
    last_seq = events.last_seq
    monkeypatch.setattr(
        events, "last_seq", lambda job_id: stale.pop() if stale else last_seq(job_id)
    )
    publish(job.pk, "trial.reported", {"trial": 1})
    rows = list(JobEvent.objects.filter(job=job).values_list("seq", "type"))
    assert rows == [(1, "trial.started"), (2, "trial.reported")]


@in_threads
def test_a_reconnecting_page_gets_exactly_the_events_it_missed(alice: Any) -> None:
    job = make_job(alice)
    for n in range(1, 6):
        events.publish(job.pk, "trial.reported", {"trial": 1, "points": [[n, n / 10]]})

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{job.pk}/", alice)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "since", "seq": 3})
        *missed, progress = await received(communicator, 3)
        assert [(e["seq"], e["points"]) for e in missed] == [(4, [[4, 0.4]]), (5, [[5, 0.5]])]
        # Then the job's progress as it stands (unnumbered: it has no place in the replay).
        assert (progress["type"], progress["tally"]["text"]) == (
            "job.progress",
            "0 / 4 trials ended",
        )
        assert "seq" not in progress and "owner" not in progress
        await publish_from_worker(job.pk, "job.status", {"status": "completed"})
        assert (await communicator.receive_json_from())["seq"] == 6
        assert (await communicator.receive_json_from())["type"] == "job.progress"
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()

    run(scenario)


def test_a_page_too_far_behind_is_told_to_reload(
    alice: Any, monkeypatch: Any, publish: Any
) -> None:
    monkeypatch.setattr(event_replay, "REPLAY_LIMIT", 2)
    job = make_job(alice)
    for n in range(4):
        publish(job.pk, "job.status", {"n": n})

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{job.pk}/", alice)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "since", "seq": 0})
        got = await received(communicator, 3)
        assert [e.get("seq") for e in got[:2]] == [1, 2]
        assert got[2] == {"type": "since.incomplete", "job": job.pk}
        await communicator.disconnect()

    run(scenario)


BAD_MESSAGES = [
    "not json",
    "[1, 2]",
    json.dumps({"type": "since", "seq": -1}),
    json.dumps({"type": "since", "seq": 10**30}),
    json.dumps({"type": "since", "seq": "abc"}),
    json.dumps({"type": "since", "seq": "²"}),  # "²".isdigit() is true; int("²") raises
    json.dumps({"type": "since", "seq": 1.5}),
    json.dumps({"type": "since", "seq": True}),
    json.dumps({"type": "since"}),
    json.dumps({"type": "since", "seq": 0, "job": "other"}),
    json.dumps({"type": "drop tables"}),
    "x" * 5000,
]


def test_bad_messages_get_error_events_and_the_socket_stays_usable(
    alice: Any, publish: Any
) -> None:
    job = make_job(alice)
    publish(job.pk, "job.status", {"status": "running"})

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{job.pk}/", alice)
        assert (await communicator.connect())[0]
        for message in BAD_MESSAGES:
            await communicator.send_to(text_data=message)
            reply = await communicator.receive_json_from()
            assert reply["type"] == "error" and reply["error"], message
        await communicator.send_to(bytes_data=b"\x00\xff")
        assert (await communicator.receive_json_from())["type"] == "error"
        await communicator.send_json_to({"type": "since", "seq": "0"})
        assert (await communicator.receive_json_from())["seq"] == 1
        await communicator.disconnect()

    run(scenario)


def test_asking_for_another_job_never_answers_with_its_events(alice: Any, publish: Any) -> None:
    mine, other = make_job(alice), make_job(alice)
    publish(other.pk, "job.status", {"secret": True})

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{mine.pk}/", alice)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "since", "seq": 0, "job": other.pk})
        assert (await communicator.receive_json_from())["type"] == "error"
        await communicator.send_json_to({"type": "since", "seq": 0})
        progress = await communicator.receive_json_from()  # its own job's, nothing of other's
        assert (progress["type"], progress["job"]) == ("job.progress", mine.pk)
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()

    run(scenario)


def test_a_flooding_client_is_told_to_slow_down_then_disconnected(alice: Any) -> None:
    job = make_job(alice)

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{job.pk}/", alice)
        assert (await communicator.connect())[0]
        for _ in range(consumers.BURST + consumers.MAX_REFUSED + 5):
            await communicator.send_to(text_data='{"type": "ping"}')
        kinds = []
        while True:
            output = await communicator.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                assert output["code"] == consumers.CLOSE_FLOODING
                break
            kinds.append(json.loads(output["text"])["error"])
        assert "Too many messages: slow down." in kinds
        # Answers stop at the limit: a flood costs the server no more work per message.
        assert len(kinds) <= consumers.BURST + 1

    run(scenario)


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = consumers.TokenBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 0.5
    assert [bucket.take(), bucket.take()] == [True, False]


@in_threads
def test_a_trial_log_socket_gets_stored_chunks_with_metric_lines_marked(
    alice: Any, bob: Any
) -> None:
    job = make_job(alice)
    trial = Trial.objects.create(job=job, number=1, params={"x": 0.5})

    async def scenario() -> None:
        assert not (await connect_to(f"/ws/trials/{trial.pk}/", bob).connect())[0]
        communicator = connect_to(f"/ws/trials/{trial.pk}/", alice)
        assert (await communicator.connect())[0]

        def log() -> None:
            events.publish_log(
                job_id=job.pk, trial_id=trial.pk, offset=12, text="loading\naccuracy=0.5\n"
            )

        await asyncio.get_running_loop().run_in_executor(None, in_worker_thread, log)
        event = await communicator.receive_json_from()
        assert event == {
            "type": "trial.log",
            "trial": trial.pk,
            "offset": 12,
            "text": "loading\naccuracy=0.5\n",
            "marks": [1],
        }
        await communicator.disconnect()

    run(scenario)


@in_threads
def test_the_job_list_socket_gets_progress_of_the_users_jobs_only(
    alice: Any, bob: Any, staff: Any
) -> None:
    job = make_job(alice, max_trials=4)
    Trial.objects.create(job=job, number=1, params={}, status=Trial.Status.COMPLETED)
    Trial.objects.create(job=job, number=2, params={}, status=Trial.Status.RUNNING)

    async def scenario() -> None:
        sockets = {}
        for name, user in (("alice", alice), ("bob", bob), ("staff", staff)):
            sockets[name] = connect_to("/ws/jobs/", user)
            assert (await sockets[name].connect())[0]
        await publish_from_worker(job.pk, "trial.started", {"trial": 2})
        for name in ("alice", "staff"):
            event = await sockets[name].receive_json_from()
            assert event["type"] == "job.progress" and event["job"] == job.pk
            assert (event["counts"]["completed"], event["counts"]["running"]) == (1, 1)
            assert event["max_trials"] == 4 and "owner" not in event
        assert await sockets["bob"].receive_nothing(timeout=0.2)
        for communicator in sockets.values():
            await communicator.disconnect()

    run(scenario)


def test_the_asgi_application_accepts_the_session_user_from_an_allowed_origin(
    alice: Any, client: Any, settings: Any
) -> None:
    from console.asgi import application

    settings.ALLOWED_HOSTS = ["testserver"]
    job = make_job(alice)
    client.force_login(alice)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def scenario() -> None:
        headers = [(b"cookie", cookie.encode()), (b"origin", b"http://testserver")]
        communicator = WebsocketCommunicator(application, f"/ws/jobs/{job.pk}/", headers)
        assert (await communicator.connect())[0]
        await communicator.disconnect()
        foreign = [(b"cookie", cookie.encode()), (b"origin", b"http://evil.example")]
        communicator = WebsocketCommunicator(application, f"/ws/jobs/{job.pk}/", foreign)
        assert not (await communicator.connect())[0]

    run(scenario)


def test_an_event_is_stored_with_its_change_and_never_for_a_change_rolled_back(
    alice: Any,
) -> None:
    job = make_job(alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        Trial.objects.create(job=job, number=1, params={})
        events.publish(job.pk, "trial.created", {"trials": [1]})
        assert JobEvent.objects.filter(job=job).count() == 1  # in the change's transaction
        raise RuntimeError("the change fails")
    assert not JobEvent.objects.filter(job=job).exists() and not job.trials.exists()
    with transaction.atomic():
        Trial.objects.create(job=job, number=1, params={})
        events.publish(job.pk, "trial.created", {"trials": [1]})
    assert list(JobEvent.objects.values_list("seq", "type")) == [(1, "trial.created")]


def test_progress_is_sent_at_most_once_per_interval_and_the_last_change_trails() -> None:
    now = [100.0]
    throttle = event_progress.ProgressThrottle(0.5, clock=lambda: now[0])
    assert throttle.ask(1)  # the first change of a job is sent at once
    now[0] = 100.1
    assert not throttle.ask(1) and not throttle.ask(1)  # one trailing send pending
    assert throttle.ask(2)  # other jobs are not held back
    assert throttle.next_due() == pytest.approx(100.5) and throttle.due() == []
    now[0] = 100.5
    assert throttle.due() == [1] and throttle.due() == []  # handed out once
    now[0] = 100.7
    assert not throttle.ask(1)  # the trailing send counts as a send
    now[0] = 101.0
    assert throttle.due() == [1]
    now[0] = 101.6
    assert throttle.ask(1)


def test_the_trailing_sender_sends_the_state_at_the_time_it_sends(
    alice: Any, monkeypatch: Any
) -> None:
    job = make_job(alice, max_trials=4)
    now = [0.0]
    throttle = event_progress.ProgressThrottle(0.5, clock=lambda: now[0])
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(event_progress, "dispatch", lambda sends: sent.extend(m for _, m in sends))
    assert throttle.ask(job.pk)
    Trial.objects.create(job=job, number=1, params={}, status=Trial.Status.RUNNING)
    assert not throttle.ask(job.pk)
    now[0] = 0.5
    assert event_progress.send_due_progress(throttle) == [job.pk]
    # The owner's list, staff's and the job's own page.
    assert [m["event"]["counts"]["running"] for m in sent] == [1, 1, 1]
    assert "owner" not in sent[2]["event"] and sent[2]["type"] == "job.event"


def test_sends_without_a_server_loop_leave_in_order_from_one_loop(monkeypatch: Any) -> None:
    got: list[tuple[str, int]] = []
    loops: set[asyncio.AbstractEventLoop] = set()
    done = threading.Event()

    class SlowLayer:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            loops.add(asyncio.get_running_loop())
            await asyncio.sleep(0.01 if message["n"] % 2 else 0)  # odd ones are slower
            got.append((group, message["n"]))
            if len(got) == 10:
                done.set()

    monkeypatch.setattr(event_sending, "get_channel_layer", lambda: SlowLayer())
    event_sending.register_loop(None)
    for n in range(0, 10, 2):
        event_sending.dispatch([("g", {"n": n}), ("g", {"n": n + 1})])
    assert done.wait(5)
    assert [n for _, n in got] == list(range(10)) and len(loops) == 1


def test_waiting_for_sends_returns_once_the_earlier_ones_have_left(monkeypatch: Any) -> None:
    got: list[int] = []

    class SlowLayer:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            await asyncio.sleep(0.05)
            got.append(message["n"])

    monkeypatch.setattr(event_sending, "get_channel_layer", lambda: SlowLayer())
    event_sending.register_loop(None)
    for n in range(4):
        event_sending.dispatch([("g", {"n": n})])
    assert got != [0, 1, 2, 3]  # handed over, not yet sent
    event_sending.wait_sent()
    assert got == [0, 1, 2, 3]


def test_a_batch_stores_its_events_at_its_end_and_a_failed_inner_step_drops_its_own(
    alice: Any,
) -> None:
    job = make_job(alice)
    with transaction.atomic(), events.batched():
        events.publish(job.pk, "trial.finished", {"trial": 1})
        assert not JobEvent.objects.exists()  # no number is held while the change goes on
        with pytest.raises(RuntimeError), transaction.atomic(), events.batched():
            events.publish(job.pk, "trial.created", {"trials": [2]})
            raise RuntimeError("the step fails")
        with transaction.atomic(), events.batched():
            events.publish(job.pk, "job.status", {"status": "completed"})
    rows = list(JobEvent.objects.values_list("seq", "type"))
    assert rows == [(1, "trial.finished"), (2, "job.status")]
