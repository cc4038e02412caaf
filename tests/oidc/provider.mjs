// A real OpenID Provider (panva's oidc-provider, OpenID Certified) on loopback for xuefa's
// tests: one confidential client, a few accounts, a sign-in page of its own (so that `amr`
// says when a one-time code was given), and consent already granted to the one client.
//   node provider.mjs PORT REDIRECT_URI [ISSUER]
// ISSUER (default http://127.0.0.1:PORT) lets a test put a proxy in front that tampers with
// what the provider answers.
import { generateKeyPairSync } from "node:crypto";
import Provider from "oidc-provider";

const [port, redirectUri, issuerArg] = process.argv.slice(2);
const issuer = issuerArg || `http://127.0.0.1:${port}`;

/** The provider's people: their password, and the claims xuefa may match on. */
const accounts = {
  zhangwei: { password: "idp-pass-1", claims: { preferred_username: "zhangwei", name: "张伟", employee_no: "1001", phone_number: "13900000001" } },
  lina: { password: "idp-pass-2", claims: { preferred_username: "lina", name: "李娜", employee_no: "1002", phone_number: "13900000002" } },
  stranger: { password: "idp-pass-3", claims: { preferred_username: "stranger", name: "外单位", employee_no: "9999", phone_number: "13900000099" } },
};

// XUEFA_TEST_KEY_ID: sign with a fresh RSA key of that id (a provider that rotated its keys).
const kid = process.env.XUEFA_TEST_KEY_ID;
const jwks = kid
  ? { keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" }] }
  : undefined;

const provider = new Provider(issuer, {
  ...(jwks ? { jwks } : {}),
  clients: [
    {
      client_id: "xuefa",
      client_secret: "xuefa-test-secret",
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  scopes: ["openid", "profile", "phone"],
  claims: { openid: ["sub", "amr"], profile: ["preferred_username", "name", "employee_no"], phone: ["phone_number"] },
  // The claims go into the ID token itself, as many government providers do.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) =>
    accounts[id] && {
      accountId: id,
      claims: async () => ({ sub: id, ...accounts[id].claims }),
    },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The one client is first-party: consent is granted without asking.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid profile phone");
    grant.addOIDCClaims(["preferred_username", "name", "employee_no", "phone_number"]);
    await grant.save();
    return grant;
  },
  ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});
provider.proxy = false;

const page = (uid, error = "") => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>统一身份认证</title></head>
<body><h1>统一身份认证（测试）</h1>${error ? `<p id="error">${error}</p>` : ""}
<form method="post" action="/interaction/${uid}/login" id="idp-login">
<label>用户名 <input name="login" autocomplete="username"></label>
<label>密码 <input name="password" type="password"></label>
<label>动态码 <input name="otp"></label>
<button type="submit">登录</button></form></body></html>`;

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (!match[2]) {
    ctx.type = "html";
    ctx.body = page(details.uid);
    return;
  }
  const body = await new Promise((resolve) => {
    let data = "";
    ctx.req.on("data", (c) => (data += c));
    ctx.req.on("end", () => resolve(new URLSearchParams(data)));
  });
  const login = body.get("login") || "";
  const account = accounts[login];
  if (!account || account.password !== body.get("password")) {
    ctx.type = "html";
    ctx.body = page(details.uid, "用户名或密码错误");
    return;
  }
  const amr = body.get("otp") ? ["pwd", "otp"] : ["pwd"];
  await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login, amr } }, { mergeWithLastSubmission: false });
});

provider.listen(Number(port), "127.0.0.1", () => console.log(`ready ${issuer}`));
