"""Setup for bench/live.sh: access tokens for every cadre of the demo (signed here with
the server's XUEFA_JWT_SECRET, as the server signs them: 10,000 password sign-ins would
take minutes of Argon2), then one live study session started for each, 16 at a time.
Only the first LIMIT cadres by username study live (the rest upload). Writes "token
session_id" lines.

    python3 bench/live_setup.py BASE SECRET CAMPAIGN COURSE LIMIT OUT
"""
import base64, concurrent.futures, hashlib, hmac, json, sys, time, urllib.request

base, secret, campaign, course, limit, out = sys.argv[1:7]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(uid: int, username: str, roles) -> str:
    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": str(uid), "username": username, "roles": roles, "iat": now, "exp": now + 7200}).encode())
    sig = b64(hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"


def call(method, path, tok, body=None):
    req = urllib.request.Request(base + path, method=method, headers={"Authorization": f"Bearer {tok}", "Content-Type": "application/json"},
                                 data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


# The roster, read by the first administrator (id 1) page by page.
admin = token(1, "admin", ["admin"])
cadres, page = [], 1
while True:
    got = call("GET", f"/api/v1/campaigns/{campaign}/enrollments?per_page=500&page={page}", admin)
    cadres += [(m["user_id"], m["username"]) for m in got["items"]]
    if len(cadres) >= got["total"] or not got["items"]:
        break
    page += 1


cadres = sorted(cadres, key=lambda c: c[1])[: int(limit)]


def start(cadre):
    tok = token(cadre[0], cadre[1], ["cadre"])
    live = call("POST", "/api/v1/study-sessions/live", tok, {"campaign_id": int(campaign), "course_id": int(course)})
    return f"{tok} {live['id']}"


t0 = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    lines = list(pool.map(start, cadres))
open(out, "w").write("\n".join(lines) + "\n")
print(f"   {len(lines)} live sessions started in {time.monotonic() - t0:.0f} s")
