"""A cadre and HR use xuefa through the Python client generated from the spec
(openapi-python-client): log in, read progress, upload a study session, download the
targets as XLSX and import a roster CSV (as bytes, with its charset)."""

import datetime
import os
import sys
import uuid

from xuefa_client import AuthenticatedClient, Client
from xuefa_client.api.auth import login
from xuefa_client.api.campaigns import get_campaign, get_my_progress, list_campaigns
from xuefa_client.api.study import log_study_session
from xuefa_client.api.targets import export_campaign_targets
from xuefa_client.api.users import import_users
from xuefa_client.models import (
    CampaignView,
    CreateStudySession,
    ImportResult,
    LoginRequest,
    PageCampaignSummary,
    ProgressView,
    StudySessionView,
    TableFormat,
    TokenResponse,
)
from xuefa_client.types import File

BASE = os.environ.get("XUEFA_BASE", "http://127.0.0.1:18094")
PASSWORD = os.environ.get("XUEFA_DEMO_PASSWORD", "xuefa-demo-2026")


def sign_in(username: str) -> AuthenticatedClient:
    pair = login.sync(client=Client(base_url=BASE), body=LoginRequest(username=username, password=PASSWORD))
    assert isinstance(pair, TokenResponse), pair
    return AuthenticatedClient(base_url=BASE, token=pair.access_token)


cadre = sign_in("gb00004")
page = list_campaigns.sync(client=cadre)
assert isinstance(page, PageCampaignSummary) and page.items, page
campaign_id = page.items[0].id

progress = get_my_progress.sync(campaign_id, client=cadre)
assert isinstance(progress, ProgressView), progress
campaign = get_campaign.sync(campaign_id, client=cadre)
assert isinstance(campaign, CampaignView), campaign

end = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
session = CreateStudySession(
    id=uuid.uuid4(),
    campaign_id=campaign_id,
    course_id=campaign.courses[0].course_id,
    started_at=end - datetime.timedelta(minutes=20),
    ended_at=end,
)
stored = log_study_session.sync_detailed(client=cadre, body=session)
assert stored.status_code == 201 and isinstance(stored.parsed, StudySessionView), stored
# The same upload again (a retry after a lost response) is a replay: 200, nothing new.
again = log_study_session.sync_detailed(client=cadre, body=session)
assert again.status_code == 200, again.status_code

hr = sign_in("hr")
xlsx = export_campaign_targets.sync(campaign_id, client=hr, format_=TableFormat.XLSX)
assert isinstance(xlsx, File), xlsx
data = xlsx.payload.read()
assert data[:2] == b"PK", data[:10]

# Bytes as Excel writes them in a Chinese locale (GBK); the server recognises the encoding.
roster = "姓名,工号,密码\n测试员,990001,Study-Law-123\n".encode("gbk")
imported = import_users.sync(client=hr, body=File(payload=roster))
assert isinstance(imported, ImportResult), imported

print(
    f"python: signed in, progress {progress.credited_minutes} min, uploaded {stored.parsed.minutes} min "
    f"(replay 200), downloaded {len(data)}-byte XLSX, imported {imported.created} account(s)"
)
sys.exit(0)
