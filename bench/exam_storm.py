#!/usr/bin/env python3
"""The rush at exam start (考试开考): N enrolled cadres press "start" within a few seconds,
save their answers in batches as they go, and submit.

    bench/exam_storm.py BASE_URL [--cadres 2000] [--bank 2000] [--spread 10] [--questions 50]
                                 [--think 2-5]

Against a server loaded with `xuefa demo --cadres N` (cadres gb00001…, password
xuefa-demo-2026, HR `hr`), it first prepares, untimed: a new campaign whose exam is open
now, every demo unit enrolled, and a bank of `--bank` exam questions imported as CSV; then
it signs every cadre in. The storm itself: each cadre arrives at a random moment within
`--spread` seconds, starts an attempt (one cadre in ten double-taps: two starts at once,
which must return the same attempt), saves the answers in five batches with `--think`
seconds between them (far faster than anyone reads 10 questions; `--think 0` saves
back to back) and submits. It
prints p50/p99 of start, save and submit, and checks the outcome through the API: one
attempt per cadre, every submission graded.

Only the standard library: a small HTTP/1.1 client over asyncio streams, one keep-alive
connection per cadre, every cadre in flight at once.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

PASSWORD = "xuefa-demo-2026"
BEIJING = timezone(timedelta(hours=8))


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path, token=None, body=None, content_type="application/json"):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        if body is None:
            data = b""
        elif isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        else:
            data = json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(data)}\r\n"
        if body is not None:
            head += f"Content-Type: {content_type}\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        self.writer.write(head.encode() + b"\r\n" + data)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length, chunked = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        if chunked:
            payload = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                payload += chunk[:-2]
        else:
            payload = await self.reader.readexactly(length)
        return status, (json.loads(payload) if payload[:1] in (b"{", b"[") else payload)

    def close(self):
        if self.writer is not None:
            self.writer.close()


def expect(status, body, wanted, what):
    if status not in wanted:
        sys.exit(f"{what}: HTTP {status}: {body}")
    return body


async def prepare(host, port, bank, questions):
    """A campaign open now with the whole demo roster and `bank` exam questions."""
    c = Conn(host, port)
    _, login = await c.request("POST", "/api/v1/auth/login", body={"username": "hr", "password": PASSWORD})
    hr = login["access_token"]
    _, courses = await c.request("GET", "/api/v1/courses?per_page=100", hr)
    _, units = await c.request("GET", "/api/v1/units?per_page=500", hr)
    now = datetime.now(BEIJING)
    status, campaign = await c.request("POST", "/api/v1/campaigns", hr, {
        "year": now.year,
        "title": f"开考压力测试 {now:%H:%M:%S}",
        "study_starts_on": f"{now.year}-01-01",
        "study_ends_on": f"{now.year}-12-31",
        "required_minutes": 60,
        "courses": [{"course_id": x["id"], "compulsory": False} for x in courses["items"]],
        "exam_opens_at": (now - timedelta(hours=1)).isoformat(),
        "exam_closes_at": (now + timedelta(days=1)).isoformat(),
        "duration_minutes": 60,
        "question_count": questions,
        "max_attempts": 3,
        "exam_requires_study": False,
    })
    campaign = expect(status, campaign, {201}, "create the campaign")
    # The tops of what `hr` sees: since data scope, a street's HR sees its street (whose
    # parent, the district, is outside the scope), not the installation's root.
    seen = {u["id"] for u in units["items"]}
    roots = [u["id"] for u in units["items"] if u.get("parent_id") not in seen]
    status, enrolled = await c.request("POST", f"/api/v1/campaigns/{campaign['id']}/enrollments", hr, {"unit_ids": roots})
    expect(status, enrolled, {200}, "enroll")
    laws = ["宪法", "民法典", "行政处罚法", "安全生产法", "劳动法", "保密法"]
    lines = ["题型,题干,选项A,选项B,选项C,选项D,答案,分值,标签,难度,题库"]
    for i in range(bank):
        law = laws[i % len(laws)]
        kind = ("单选", "多选", "判断")[i % 3]
        if kind == "判断":
            lines.append(f"判断,第{i}题：{law}的这一规定是否正确？,正确,错误,,,对,1,{law},{1 + i % 3},考试")
        else:
            answer = "A" if kind == "单选" else "AC"
            lines.append(f"{kind},第{i}题：依照{law}，下列说法正确的是？,选项一{i},选项二{i},选项三{i},选项四{i},{answer},2,{law},{1 + i % 3},考试")
    status, imported = await c.request(
        "POST", f"/api/v1/campaigns/{campaign['id']}/questions/import", hr,
        ("\n".join(lines) + "\n").encode(), "text/csv")
    expect(status, imported, {201}, "import the bank")
    c.close()
    return campaign["id"], enrolled["enrolled"], hr


async def sign_in(host, port, n):
    tokens = [None] * n
    gate = asyncio.Semaphore(8)

    async def one(i):
        async with gate:
            c = Conn(host, port)
            status, body = await c.request("POST", "/api/v1/auth/login",
                                           body={"username": f"gb{i + 1:05d}", "password": PASSWORD})
            c.close()
            tokens[i] = expect(status, body, {200}, f"sign in gb{i + 1:05d}")["access_token"]

    await asyncio.gather(*(one(i) for i in range(n)))
    return tokens


async def storm(host, port, campaign, tokens, spread, think):
    timings = {"start": [], "save": [], "submit": []}
    when = {"start": [], "save": [], "submit": []}
    failures = []
    double_taps = []
    # Every cadre in flight at once: the arrivals, not a client-side queue, set the pace.
    gate = asyncio.Semaphore(len(tokens))
    begin = time.perf_counter()

    async def timed(kind, conn, *args):
        t = time.perf_counter()
        status, body = await conn.request(*args)
        timings[kind].append((time.perf_counter() - t) * 1000)
        when[kind].append((t - begin, (time.perf_counter() - t) * 1000))
        return status, body

    async def cadre(i, token):
        lo, hi = think
        await asyncio.sleep(random.uniform(0, spread))
        async with gate:
            c = Conn(host, port)
            path = f"/api/v1/campaigns/{campaign}/attempts"
            if i % 10 == 0:
                other = Conn(host, port)
                (s1, a), (s2, b) = await asyncio.gather(
                    timed("start", c, "POST", path, token), timed("start", other, "POST", path, token))
                other.close()
                double_taps.append((s1, s2, a.get("id") if isinstance(a, dict) else None,
                                    b.get("id") if isinstance(b, dict) else None))
                status, attempt = (s1, a) if s1 == 201 else (s2, b)
            else:
                status, attempt = await timed("start", c, "POST", path, token)
            if status != 201:
                failures.append(("start", status, attempt))
                c.close()
                return
            qs = attempt["questions"]
            for part in range(5):
                if hi > 0:
                    await asyncio.sleep(random.uniform(lo, hi))
                batch = qs[part::5]
                answers = [{"question_id": q["id"], "choices": [0]} for q in batch]
                status, body = await timed("save", c, "PUT", f"/api/v1/attempts/{attempt['id']}/answers",
                                           token, {"answers": answers})
                if status != 200:
                    failures.append(("save", status, body))
            answers = [{"question_id": q["id"], "choices": [0]} for q in qs]
            status, body = await timed("submit", c, "POST", f"/api/v1/attempts/{attempt['id']}/submit",
                                       token, {"answers": answers})
            if status != 200:
                failures.append(("submit", status, body))
            c.close()

    await asyncio.gather(*(cadre(i, t) for i, t in enumerate(tokens)))
    # Where in the storm the slow ones were: the worst start and save of each 5 s.
    for kind in ("start", "save"):
        worst = {}
        for at, ms in when[kind]:
            worst[int(at // 5)] = max(worst.get(int(at // 5), 0), ms)
        print(f"worst {kind} by 5 s of the storm: " + ", ".join(
            f"{5 * k}s {v:.0f}" for k, v in sorted(worst.items())))
    return timings, failures, double_taps, time.perf_counter() - begin


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--cadres", type=int, default=2000)
    ap.add_argument("--bank", type=int, default=2000)
    ap.add_argument("--spread", type=float, default=10.0)
    ap.add_argument("--questions", type=int, default=50)
    ap.add_argument("--think", default="2-5", help="seconds between saves, as LOW-HIGH")
    args = ap.parse_args()
    url = urlparse(args.base)
    host, port = url.hostname, url.port or 80
    t = time.perf_counter()
    campaign, enrolled, hr = await prepare(host, port, args.bank, args.questions)
    tokens = await sign_in(host, port, args.cadres)
    print(f"prepared in {time.perf_counter() - t:.1f} s: campaign {campaign}, {enrolled} enrolled, "
          f"bank {args.bank} exam questions, {len(tokens)} cadres signed in")
    lo, _, hi = args.think.partition("-")
    think = (float(lo), float(hi or lo))
    timings, failures, taps, took = await storm(host, port, campaign, tokens, args.spread, think)
    for kind in ("start", "save", "submit"):
        v = timings[kind]
        print(f"exam storm  {kind:<7} n={len(v):>6}  p50 {statistics.median(v):>7.1f} ms  "
              f"p99 {pct(v, 99):>7.1f} ms  max {max(v):>7.1f} ms")
    print(f"exam storm: {len(tokens)} cadres arriving over {args.spread:.0f} s, {args.think} s between saves, "
          f"all done in {took:.1f} s; "
          f"failures: {len(failures)}")
    for f in failures[:5]:
        print("  ", f)
    same = sum(1 for s1, s2, a, b in taps if {s1, s2} == {200, 201} and a == b)
    print(f"double taps: {same} of {len(taps)} returned one attempt (201 + 200, same id)")
    c = Conn(host, port)
    _, page = await c.request("GET", f"/api/v1/campaigns/{campaign}/attempts?per_page=1", hr)
    _, graded = await c.request("GET", f"/api/v1/campaigns/{campaign}/attempts?per_page=1&passed=false", hr)
    _, passed = await c.request("GET", f"/api/v1/campaigns/{campaign}/attempts?per_page=1&passed=true", hr)
    c.close()
    finished = graded["total"] + passed["total"]
    print(f"stored: {page['total']} attempts for {len(tokens)} cadres, {finished} graded")
    ok = not failures and same == len(taps) and page["total"] == len(tokens) == finished
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
