// A job's live events over a websocket, in order of their numbers, none lost or doubled.
//
// The page loads a snapshot holding the job's last event number (seq). On every
// (re)connect the socket asks for the events after the last number applied; an event
// numbered at or below it is a double (a replay and a live copy crossing) and dropped;
// one that skips ahead waits in `early` until the missing ones arrive (two workers'
// events can cross on the way), and if they have not come within a moment they are
// asked for again. The server answers "since.incomplete" when the page is too far
// behind: the page then reloads its snapshot (onStale).
(function () {
  "use strict";

  const GAP_WAIT_MS = 1500;
  const MAX_BACKOFF_MS = 15000;

  function socketUrl(path) {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path;
  }

  // options: path, seq (last applied), onEvent(event), onStale(), onState("live"|"connecting"|"offline"),
  // onProgress(event): the job's progress (`job.progress`, unnumbered: the latest counts)
  function JobEvents(options) {
    this.options = options;
    this.seq = options.seq || 0;
    this.early = new Map();
    this.backoff = 500;
    this.closed = false;
    this.gapTimer = null;
    this.connect();
  }

  JobEvents.prototype.connect = function () {
    const self = this;
    self.state("connecting");
    const ws = new WebSocket(socketUrl(self.options.path));
    self.ws = ws;
    ws.onopen = function () {
      self.backoff = 500;
      self.state("live");
      self.askSince();
    };
    ws.onmessage = function (message) {
      let event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      self.receive(event);
    };
    ws.onclose = function (closing) {
      if (self.closed) return;
      self.state("offline");
      if (closing.code === 4403) return;  // refused: reconnecting will not help
      window.setTimeout(function () { self.connect(); }, self.backoff);
      self.backoff = Math.min(self.backoff * 2, MAX_BACKOFF_MS);
    };
  };

  JobEvents.prototype.askSince = function () {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: "since", seq: this.seq }));
    }
  };

  JobEvents.prototype.receive = function (event) {
    if (event.type === "since.incomplete") { this.options.onStale(); return; }
    if (event.type === "job.progress") {
      if (this.options.onProgress) this.options.onProgress(event);
      return;
    }
    if (event.type === "error" || typeof event.seq !== "number") return;
    if (event.seq <= this.seq) return;  // already applied
    this.early.set(event.seq, event);
    this.drain();
  };

  JobEvents.prototype.drain = function () {
    while (this.early.has(this.seq + 1)) {
      const next = this.early.get(this.seq + 1);
      this.early.delete(this.seq + 1);
      this.seq = next.seq;
      try { this.options.onEvent(next); } catch (e) { window.console.error(e); }
    }
    const self = this;
    if (self.early.size && !self.gapTimer) {
      self.gapTimer = window.setTimeout(function () {
        self.gapTimer = null;
        if (self.early.size) self.askSince();
      }, GAP_WAIT_MS);
    }
  };

  // After a snapshot reload: continue from its number.
  JobEvents.prototype.reset = function (seq) {
    this.seq = seq;
    for (const key of Array.from(this.early.keys())) if (key <= seq) this.early.delete(key);
    this.drain();
  };

  JobEvents.prototype.state = function (name) {
    if (this.options.onState) this.options.onState(name);
  };

  JobEvents.prototype.close = function () {
    this.closed = true;
    if (this.ws) this.ws.close();
  };

  // A plain event stream (the job list, a trial's log): reconnects, no numbers.
  function Stream(path, onEvent, onState, onOpen) {
    let backoff = 500;
    function connect() {
      if (onState) onState("connecting");
      const ws = new WebSocket(socketUrl(path));
      ws.onopen = function () { backoff = 500; if (onState) onState("live"); if (onOpen) onOpen(); };
      ws.onmessage = function (message) {
        try { onEvent(JSON.parse(message.data)); } catch (e) { window.console.error(e); }
      };
      ws.onclose = function (closing) {
        if (onState) onState("offline");
        if (closing.code === 4403) return;
        window.setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      };
    }
    connect();
  }

  // The page's live marker; one a page marked "ended" (its trial ended) stays so.
  function showState(node, name) {
    if (!node || node.dataset.state === "ended") return;
    node.dataset.state = name;
    node.textContent = { live: "Live", connecting: "Connecting…", offline: "Reconnecting…" }[name];
  }

  window.SweepLive = { JobEvents: JobEvents, Stream: Stream, showState: showState };
})();
