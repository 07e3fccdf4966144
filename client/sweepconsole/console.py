"""``Console``: the client's entry point, one per console URL and token.

>>> from sweepconsole import Console, RandomParameterSampling, BanditPolicy, choice, uniform
>>> console = Console("http://127.0.0.1:8000", token="...")          # doctest: +SKIP
>>> job = console.submit(algorithm="digits-sgd",                      # doctest: +SKIP
...     hyperparameter_sampling=RandomParameterSampling({"eta0": uniform(0.001, 0.1)}),
...     policy=BanditPolicy(slack_factor=0.1), primary_metric_name="val_loss",
...     primary_metric_goal="minimize", max_total_runs=8, max_concurrent_runs=2)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from sweepconsole import config
from sweepconsole.datasets import Dataset, DatasetMethods
from sweepconsole.defaults import catalogue_defaults, search_algorithm_defaults
from sweepconsole.errors import (
    AmbiguousName,
    AuthenticationError,
    ConsoleError,
    NotFound,
    SpecError,
)
from sweepconsole.naming import Caller, id_or_name, own_by_name, pick_by_name
from sweepconsole.policies import EarlyTerminationPolicy
from sweepconsole.resources import Algorithm, Job
from sweepconsole.sampling import ParameterSampling, PrimaryMetricGoal
from sweepconsole.submission import HyperDriveConfig, JobRequest, build_job_body
from sweepconsole.transport import Session
from sweepconsole.trials import Trial
from sweepconsole.upload import algorithm_upload, form_value

__all__ = ["Console"]


class Console(DatasetMethods):
    """A connection to one console.

    ``url`` and ``token`` default to ``SWEEP_URL`` / ``SWEEP_TOKEN``, then to the login
    file ``sweep login`` writes. Its dataset methods live in ``sweepconsole.datasets``.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        creds = config.resolve(url, token)
        self.url = creds.url
        self.session = Session(
            creds.url,
            creds.token,
            token_source=creds.token_source,
            timeout=timeout,
            transport=transport,
        )
        self._defaults: dict[str, dict[str, Any]] | None = None
        self._policy_defaults: dict[str, dict[str, Any]] | None = None
        self._caller: Caller | None = None

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def __repr__(self) -> str:
        return f"Console({self.url!r})"

    # --- login ------------------------------------------------------------------------------

    @staticmethod
    def create_token(
        url: str,
        username: str,
        password: str,
        *,
        name: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> dict[str, Any]:
        """Exchange a user name and password for an API token: the console's answer
        (``token``, and its ``id`` where the console lists tokens); ``name`` labels it."""
        session = Session(config.normalise_url(url), None, transport=transport)
        fields = {"username": username, "password": password}
        if name:
            fields["name"] = name
        try:
            response = session.send("POST", "/api/v1/auth/token/", data=fields)
            if response.status_code == 400:
                raise AuthenticationError(
                    f"Wrong user name or password for {session.url}.", status=400
                )
            if response.status_code == 404:
                raise NotFound(
                    f"No Sweep Console answers at {session.url} (its token endpoint "
                    "/api/v1/auth/token/ is not there): give the console's own address, "
                    "e.g. http://127.0.0.1:8000.",
                    status=404,
                )
            session.raise_for(response, "The token endpoint")
            try:
                answer = response.json()
                str(answer["token"])
            except (ValueError, KeyError, TypeError):
                raise ConsoleError(
                    f"{session.url} did not answer with a token: is it a Sweep Console?",
                    status=response.status_code,
                ) from None
            return dict(answer)
        finally:
            session.close()

    @staticmethod
    def get_token(
        url: str,
        username: str,
        password: str,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> str:
        """Exchange a user name and password for an API token."""
        return str(Console.create_token(url, username, password, transport=transport)["token"])

    @classmethod
    def login(cls, url: str, username: str, password: str, *, save: bool = False) -> Console:
        """A console logged in as ``username``; ``save=True`` also writes the login file."""
        url = config.normalise_url(url)
        token = cls.get_token(url, username, password)
        if save:
            config.write_config({"url": url, "username": username, "token": token})
        return cls(url, token)

    def caller(self) -> Caller:
        """Who the token belongs to (asked once per ``Console``): staff see every user's
        objects, so a name is resolved to the caller's own first."""
        if self._caller is None:
            try:
                data = self.session.request("GET", "/api/v1/auth/me/", what="The current user")
            except NotFound:
                data = None  # a console older than /auth/me/: it cannot say
            if isinstance(data, Mapping):
                self._caller = Caller(str(data["username"]), bool(data.get("is_staff")))
            else:
                self._caller = Caller(None)
        return self._caller

    # --- algorithms -------------------------------------------------------------------------

    def algorithms(self, search: str | None = None) -> list[Algorithm]:
        params = {"search": search} if search else None
        return [Algorithm(self, a) for a in self.session.paged("/api/v1/algorithms/", params)]

    def get_algorithm(self, ref: int | str) -> Algorithm:
        """An algorithm by id or by exact name.

        A name several visible algorithms share (staff see every user's) means the
        caller's own; shared by others only, it raises ``AmbiguousName`` listing their
        ids and owners.
        """
        ref = id_or_name(ref)
        if isinstance(ref, str):
            return pick_by_name("algorithm", ref, self.algorithms(search=ref), self.caller)
        data = self.session.request("GET", f"/api/v1/algorithms/{ref}/", what=f"Algorithm {ref}")
        return Algorithm(self, data)

    def own_algorithm(self, name: str) -> Algorithm | None:
        """The caller's own algorithm called ``name``, or ``None`` (another user's of that
        name, which staff also see, does not count)."""
        return own_by_name("algorithm", name, self.algorithms(search=name), self.caller)

    def algorithm_reference(self, algorithm_id: int, name: str) -> int | str:
        """How to name this algorithm for this caller: its name when the name resolves back
        to it, else its id (staff reading another user's job, whose algorithm's name
        another algorithm shares)."""
        try:
            same = bool(name) and self.get_algorithm(name).id == algorithm_id
        except (NotFound, AmbiguousName):
            same = False
        return name if same else algorithm_id

    def search_algorithms(self) -> list[dict[str, Any]]:
        """The console's search algorithms with their parameters and defaults."""
        return list(self.session.paged("/api/v1/search-algorithms/"))

    def search_algorithm_defaults(self, algorithm: int | None = None) -> dict[str, dict[str, Any]]:
        """``{search algorithm: {parameter: default}}`` (the list is read once per
        ``Console``). With ``algorithm`` (an id), only the defaults that algorithm's own
        configuration agrees with: the console lays a job's parameters over its
        algorithm's, so only those come back when a job leaves them out
        (``sweepconsole.defaults``). An algorithm the caller cannot read narrows nothing.
        """
        if self._defaults is None:
            self._defaults = catalogue_defaults(self.search_algorithms())
        if algorithm is None:
            return self._defaults
        try:
            configured = self.get_algorithm(int(algorithm)).data.get("search_algorithms") or []
        except NotFound:
            return self._defaults
        return search_algorithm_defaults(self._defaults, configured)

    def policies(self) -> list[dict[str, Any]]:
        """The console's early-termination policies with their parameters and defaults."""
        return list(self.session.paged("/api/v1/early-termination-policies/"))

    def policy_defaults(self) -> dict[str, dict[str, Any]]:
        """``{policy: {parameter: default}}``, the console's (read once per ``Console``);
        empty from a console older than its policy list (``sweepconsole.defaults`` then
        knows only this client's policy defaults)."""
        if self._policy_defaults is None:
            try:
                self._policy_defaults = catalogue_defaults(self.policies())
            except NotFound:
                self._policy_defaults = {}
        return self._policy_defaults

    def create_algorithm(
        self,
        path: str | Path | None = None,
        *,
        name: str | None = None,
        boot_file: str | None = None,
        hyperparameters: Sequence[Mapping[str, Any]] | None = None,
        metric: Mapping[str, Any] | None = None,
        search_algorithms: Sequence[Mapping[str, Any]] | None = None,
        description: str | None = None,
        engine: str | None = None,
        auto_search: bool | None = None,
        argument_style: str | None = None,
        bool_style: str | None = None,
        accepts_data_urls: bool | None = None,
        sample_log: str | None = None,
        confirm_no_match: bool | None = None,
        server_path: str | None = None,
        wait: bool = True,
        timeout: float = 300,
    ) -> Algorithm:
        """Upload a script, an archive or a folder and register it as an algorithm.

        The keyword arguments are the REST API's fields, with its shapes
        (``hyperparameters=[{"name": "lr", "type": "float", "default": 0.01, ...}]``,
        ``metric={"name", "goal", "regex"}``, ``search_algorithms=[{"name", "params"}]``,
        ``argument_style="equals" | "space"``, ``bool_style="true_false" | "one_zero" |
        "flag"``, ``accepts_data_urls`` for a script taking --data_url and --train_url).
        A folder's ``algorithm.json``, when present, gives the fields not passed. With
        ``wait`` it returns once the console has checked the package, and raises with the
        reason if it failed.
        """
        fields, upload = algorithm_upload(
            path,
            {
                "name": name,
                "boot_file": boot_file,
                "hyperparameters": hyperparameters,
                "metric": metric,
                "search_algorithms": search_algorithms,
                "description": description,
                "engine": engine,
                "auto_search": auto_search,
                "argument_style": argument_style,
                "bool_style": bool_style,
                "accepts_data_urls": accepts_data_urls,
                "sample_log": sample_log,
                "confirm_no_match": confirm_no_match,
            },
        )
        if upload is None and not server_path:
            raise SpecError("Give the code: a script, archive or folder path, or server_path.")
        if upload is None:
            data = self.session.request(
                "POST", "/api/v1/algorithms/", json={**fields, "server_path": server_path}
            )
        else:
            form = {k: form_value(v) for k, v in fields.items()}
            data = self.session.request(
                "POST",
                "/api/v1/algorithms/",
                data=form,
                files={"code": (upload[0], upload[1], "application/octet-stream")},
            )
        algorithm = Algorithm(self, data)
        return algorithm.wait_until_ready(timeout=timeout) if wait else algorithm

    # --- jobs -------------------------------------------------------------------------------

    def jobs(self, status: str | None = None, search: str | None = None) -> list[Job]:
        params = {k: v for k, v in {"status": status, "search": search}.items() if v}
        return [Job(self, j) for j in self.session.paged("/api/v1/training-jobs/", params)]

    def get_job(self, ref: int | str) -> Job:
        """A job by id or by exact name, as ``get_algorithm``: a name several visible jobs
        share means the caller's own; shared by others only, or by several of the
        caller's own jobs, it raises ``AmbiguousName`` listing their ids and owners."""
        ref = id_or_name(ref)
        if isinstance(ref, str):
            # The list filters by part of the name only (?search=, any case): the exact
            # name is picked here.
            return pick_by_name("job", ref, self.jobs(search=ref), self.caller)
        data = self.session.request("GET", f"/api/v1/training-jobs/{ref}/", what=f"Job {ref}")
        return Job(self, data)

    def get_trial(self, trial_id: int) -> Trial:
        data = self.session.request(
            "GET", f"/api/v1/trials/{int(trial_id)}/", what=f"Trial {trial_id}"
        )
        return Trial(self, data)

    def submit_json(self, body: Mapping[str, Any]) -> Job:
        """Create a job from the REST API's create shape as it is."""
        return Job(self, self.session.request("POST", "/api/v1/training-jobs/", json=dict(body)))

    def submit(
        self,
        config: HyperDriveConfig | None = None,
        *,
        algorithm: Algorithm | int | str | None = None,
        hyperparameter_sampling: ParameterSampling | Sequence[ParameterSampling] | None = None,
        policy: EarlyTerminationPolicy | None = None,
        primary_metric_name: str | None = None,
        primary_metric_goal: PrimaryMetricGoal | str | None = None,
        max_total_runs: int | None = None,
        max_concurrent_runs: int | None = None,
        max_duration_minutes: int | None = None,
        fixed: Mapping[str, Any] | None = None,
        omit: Sequence[str] | None = None,
        name: str | None = None,
        description: str | None = None,
        objective: str | None = None,
        metric_regex: str | None = None,
        trial_timeout_minutes: int | None = None,
        max_failed: int | None = None,
        seed: int | None = None,
        dataset: Dataset | int | str | None = None,
        environment: Mapping[str, str] | None = None,
    ) -> Job:
        """Start a training job of ``algorithm`` (an ``Algorithm``, an id or a name).

        Without ``hyperparameter_sampling`` it is a single training run with ``fixed``
        values (and defaults for the rest). ``dataset`` (a ``Dataset``, its id or its name)
        reaches every trial as ``--data_url`` / ``DATA_URL``; ``environment`` is
        ``{NAME: text}`` every trial gets.
        """
        # The keywords above are the public, typed face; JobRequest holds the same names
        # (a test keeps the two in step), so its fields are read from the call's own.
        request = JobRequest.from_arguments(locals()).with_config(config)
        if algorithm is None:
            raise SpecError("submit() needs the algorithm (an Algorithm, its id or its name).")
        chosen = algorithm if isinstance(algorithm, Algorithm) else self.get_algorithm(algorithm)
        if isinstance(dataset, (int, str)):
            dataset = self.get_dataset(dataset)
        body = build_job_body(
            request,
            algorithm_id=chosen.id,
            name=name or f"{chosen.name} {time.strftime('%Y-%m-%d %H:%M:%S')}",
            dataset_id=None if dataset is None else dataset.id,
        )
        return self.submit_json(body)
