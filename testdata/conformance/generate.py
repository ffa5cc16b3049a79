#!/usr/bin/env python3
"""Builds the conformance corpus (testdata/conformance/*.json).

    python3 testdata/conformance/generate.py GRAPH_MOCKS_JSON > /dev/null

GRAPH_MOCKS_JSON is graph-v1_0-proxy-mocks.json of waldekmastykarz/graph-mocks (MIT
License, Copyright (c) 2023 Waldek Mastykarz): Microsoft Graph's documented v1.0
examples as request URL + response status and body. The write examples (POST, PATCH,
DELETE with their request bodies) are transcribed below from the request and response
blocks of the pages of microsoftgraph/microsoft-graph-docs-contrib named in each
example's source, and checked against them: requests verbatim, statuses and response members
as documented. See README.md for the format and the masking rules.
"""
import copy
import json
import os
import re
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ME = "${me}"
GRAPH = "https://graph.microsoft.com"
DT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SETS = {"users", "groups", "applications", "servicePrincipals", "devices", "subscriptions"}
CONTAINED = {"messages", "events", "contacts"}
MOCKS_SOURCE = "graph-mocks (waldekmastykarz/graph-mocks, MIT): graph-v1_0-proxy-mocks.json"

corpus = {}


def add(resource, ex):
    corpus.setdefault(resource, []).append(ex)


def slug(s):
    s = re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()
    return s[:80].strip("-")


KEPT = ("@odata.context", "@odata.etag", "@odata.type", "@odata.count")


def mask_context(x):
    x = x.replace(GRAPH + "/beta/$metadata", GRAPH + "/v1.0/$metadata")  # samples copied from beta pages
    return re.sub(r"users\('[^']*'\)", "users('{{id}}')", x.replace(GRAPH, "{{base}}"))


def encode(u):
    """The documented URL as a client sends it: spaces, quotes and the like percent-encoded."""
    return urllib.parse.quote(u, safe="/?&=$,:'()!*+;@%~-._")


def mask_response(v, top=True):
    """Masks a documented response read back from seeded state: ids, timestamps, etags."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k in ("@odata.nextLink", "@odata.deltaLink") or ("@odata." in k and k not in KEPT) or k in NOT_IN_V1:
                continue
            if k == "@odata.context" and isinstance(x, str):
                out[k] = mask_context(x)
            elif k == "@odata.etag":
                out[k] = "{{etag}}"
            elif k == "id" and isinstance(x, str):
                out[k] = "{{id}}"
            elif k == "changeKey":
                out[k] = "{{string}}"
            elif k == "@odata.count":
                vals = v.get("value")
                out[k] = x if isinstance(vals, list) and len(vals) == x else "{{any}}"
            else:
                out[k] = mask_response(x, False)
        return out
    if isinstance(v, list):
        return [mask_response(x, False) for x in v]
    if isinstance(v, str) and DT.match(v):
        return "{{datetime}}"
    return v


# Properties documented v1.0 samples show that v1.0's schema does not have: left out of seeds.
NOT_IN_V1 = {"notificationContentType"}


def clean_entity(e):
    """A documented entity as a fixture entity: its annotations and null members dropped."""
    out = {}
    for k, x in e.items():
        if k in NOT_IN_V1:
            continue
        if k.startswith("@") and k != "@odata.type":
            continue
        if "@odata." in k:
            continue
        out[k] = x
    return out


def mask_created(resp, req):
    """Masks a documented create response: what the request determines stays exact (in
    Graph's spelling when only the letter case differs, the request's value when the
    document's sample response contradicts its own request); timestamps, ids and GUIDs are
    masked; other server-set strings are required present with any value."""
    if isinstance(resp, dict):
        out = {}
        for k, x in resp.items():
            if k in ("@odata.nextLink", "@odata.id"):
                continue
            if k == "@odata.context" and isinstance(x, str):
                out[k] = mask_context(x)
                continue
            if k == "@odata.etag":
                out[k] = "{{etag}}"
                continue
            if k == "id":
                out[k] = "{{id}}"
                continue
            if isinstance(req, dict) and k in req:
                out[k] = mask_created(x, req[k])
            else:
                out[k] = mask_server(x)
        return out
    if isinstance(resp, list):
        if isinstance(req, list) and len(req) == len(resp):
            return [mask_created(a, b) for a, b in zip(resp, req)]
        return req if isinstance(req, list) else [mask_server(x) for x in resp]
    if isinstance(resp, str) and isinstance(req, str):
        if resp == req or resp.lower() == req.lower() or same_instant(resp, req):
            return resp
        return req
    if req is not None and type(resp) is not type(req):
        return req
    if isinstance(resp, (int, float)) and isinstance(req, (int, float)) and resp != req:
        return req
    return resp


DATETIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def same_instant(a, b):
    """Whether two date-time strings are the same time written with another precision
    (Graph writes seven fractional digits where a request may write none)."""
    ma, mb = DATETIME.match(a), DATETIME.match(b)
    if not ma or not mb:
        return False
    def norm(m):
        base, frac, zone = m.group(1), (m.group(2) or ".").rstrip("0"), m.group(3) or ""
        if len(base) == 16:
            base += ":00"
        return base + (frac if frac != "." else ""), zone.replace("+00:00", "Z")
    return norm(ma) == norm(mb)


def mask_server(x):
    if isinstance(x, dict):
        return {k: mask_server(v) for k, v in x.items()}
    if isinstance(x, list):
        return [mask_server(v) for v in x]
    if isinstance(x, str):
        if DT.match(x):
            return "{{datetime}}"
        if GUID.match(x):
            return "{{guid}}"
        return "{{any}}"
    return x


# ---------------------------------------------------------------- graph-mocks: reads

def parse_url(u):
    """(resource, set path, key, query, seed-kind) of a documented read, or None."""
    path, _, query = u.partition("?")
    segs = path.strip("/").split("/")
    if segs[0] == "me":
        if len(segs) == 1:
            return ("users", "me", None, query)
        if segs[1] in CONTAINED and len(segs) <= 3:
            return (segs[1], "me/" + segs[1], segs[2] if len(segs) == 3 else None, query)
        return None
    m = re.match(r"^(\w+)(?:\((\w+)='([^']*)'\))?$", segs[0])
    if not m or m.group(1) not in SETS:
        return None
    if m.group(2):
        if len(segs) != 1:
            return None
        return (m.group(1), m.group(1), (m.group(2), m.group(3)), query)
    if len(segs) == 1:
        return (m.group(1), m.group(1), None, query)
    if len(segs) == 2 and not segs[1].startswith("$") and segs[1] != "delta":
        return (m.group(1), m.group(1), segs[1], query)
    return None


ME_USER = {"id": ME, "displayName": "Megan Bowen", "userPrincipalName": "MeganB@contoso.com"}


def seed_for(setpath, entities):
    if setpath.startswith("me/"):
        return {"users": [ME_USER], "users/" + ME + "/" + setpath[3:]: entities}
    return {setpath: entities}


def consistency_headers(query):
    q = urllib.parse.unquote(query).lower()
    if "$count" in q or "$search" in q or "endswith" in q or " ne " in q or "not(" in q:
        return {"ConsistencyLevel": "eventual"}
    return {}


def from_mocks(mocks):
    seen = set()
    for m in mocks:
        r = m["request"]
        if r.get("method", "GET") != "GET" or m["response"].get("statusCode") != 200:
            continue
        url = r.get("exampleUrl") or r["url"]
        if not url.startswith(GRAPH + "/v1.0/"):
            continue
        u = url[len(GRAPH + "/v1.0"):]
        p = parse_url(u)
        body = m["response"].get("body")
        if p is None or not isinstance(body, dict):
            continue
        resource, setpath, key, query = p
        ql = urllib.parse.unquote(query).lower()
        if "$expand" in ql or "ext55" in ql or "customsecurityattributes" in ql:
            continue  # expansions and tenant extension properties are not state a fixture can hold
        name = "get-" + slug(u)
        if name in seen:
            continue
        seen.add(name)
        src = MOCKS_SOURCE + ", GET " + url
        if key is None and setpath != "me":
            vals = body.get("value")
            if not isinstance(vals, list) or not all(isinstance(v, dict) for v in vals):
                continue
            ents = []
            for i, v in enumerate(vals):
                e = clean_entity(v)
                e.setdefault("id", "%s-%d" % (resource, i + 1))
                ents.append(e)
            add(resource, {
                "name": name, "source": src,
                "setup": [{"seed": seed_for(setpath, ents)}] if ents else [],
                "request": {"method": "GET", "path": "/v1.0" + encode(u), "headers": consistency_headers(query)},
                "status": 200, "body": mask_response(body)})
            if not query:
                # Each listed entity read back by its key.
                for i, e in enumerate(ents[:8]):
                    want = mask_response(vals[i])
                    want.pop("@odata.type", None)
                    add(resource, {
                        "name": "get-%s-listed-%d" % (slug(setpath), i + 1), "source": src + " (entity read back by key)",
                        "setup": [{"seed": seed_for(setpath, ents)}],
                        "request": {"method": "GET", "path": "/v1.0/%s/%s" % (setpath.replace("me/", "me/"), e["id"])},
                        "status": 200, "body": want})
            continue
        if "value" in body:
            continue  # a sample that answers an entity read with a collection
        e = clean_entity(body)
        if setpath == "me":
            e["id"] = ME
            seed = {"users": [e]}
            path = "/v1.0" + encode(u)
        else:
            if isinstance(key, tuple):
                e[key[0]] = key[1]
                e.setdefault("id", "00000000-0000-0000-0000-0000000000aa")
                path = "/v1.0" + encode(u)
            else:
                kid = urllib.parse.unquote(key)
                if "{" in kid:
                    kid = e.get("id") or "00000000-0000-0000-0000-0000000000aa"
                e["id"] = kid
                path = "/v1.0/%s/%s%s" % (setpath, urllib.parse.quote(kid, safe="=-_."), "?" + encode(query) if query else "")
            seed = seed_for(setpath, [e])
        add(resource, {
            "name": name, "source": src,
            "setup": [{"seed": seed}],
            "request": {"method": "GET", "path": path, "headers": consistency_headers(query)},
            "status": 200, "body": mask_response(body)})


TYPE_SETS = {"user": "users", "group": "groups", "servicePrincipal": "servicePrincipals", "device": "devices",
             "application": "applications", "orgContact": "contacts", "directoryRole": "directoryRoles",
             "administrativeUnit": "administrativeUnits"}
# navigation -> how a listed object is linked to the parent: "nav" (parent/nav holds it),
# "members" (the object's members hold the parent), "owners" (the object's owners hold the
# parent), "manager" (the object's manager is the parent).
REF_NAVS = {"members": "nav", "transitiveMembers": "nav", "owners": "nav", "registeredOwners": "nav",
            "registeredUsers": "nav", "memberOf": "members", "transitiveMemberOf": "members",
            "ownedObjects": "owners", "directReports": "manager", "manager": "single"}
PARENT = "00000000-0000-0000-0000-0000000000aa"


def from_mocks_refs(mocks):
    """Documented reads of directory relationships, the state built from references."""
    seen = set()
    for m in mocks:
        r = m["request"]
        if r.get("method", "GET") != "GET" or m["response"].get("statusCode") != 200:
            continue
        url = r.get("exampleUrl") or r["url"]
        u = url[len(GRAPH + "/v1.0"):]
        path, _, query = u.partition("?")
        mm = re.match(r"^/(me|(users|groups|servicePrincipals|devices|applications)(?:/([^/()]+)|\((appId)='([^']+)'\)))"
                      r"/(\w+)(/microsoft\.graph\.\w+)?$", path)
        if not mm or mm.group(6) not in REF_NAVS:
            continue
        body = m["response"].get("body")
        if not isinstance(body, dict):
            continue
        nav, how = mm.group(6), REF_NAVS[mm.group(6)]
        if mm.group(1) == "me":
            pset, pid, parent = "users", ME, dict(ME_USER)
        else:
            pset = mm.group(2)
            pid = mm.group(3) if mm.group(3) and "{" not in mm.group(3) else PARENT
            parent = {"id": pid, "displayName": "Parent"}
            if mm.group(4):
                parent["appId"] = mm.group(5)
        vals = [body] if how == "single" else body.get("value")
        if not isinstance(vals, list) or not vals or not all(isinstance(v, dict) and v.get("id") for v in vals):
            continue
        fixture = {pset: [parent]}
        links = {}
        ok = True
        for v in vals:
            default = (mm.group(7) or "").split(".")[-1] or {"memberOf": "group", "transitiveMemberOf": "group"}.get(nav, "user")
            t = v.get("@odata.type") or "#microsoft.graph." + default
            tset = TYPE_SETS.get(t.split(".")[-1])
            if tset is None:
                ok = False
                break
            e = clean_entity(v)
            e.pop("@odata.type", None)
            if how == "owners" and tset not in ("applications", "servicePrincipals", "groups"):
                ok = False  # an object that has no owners to hold the parent
                break
            if tset == pset and e["id"] == pid:
                ok = False
                break
            fixture.setdefault(tset, []).append(e)
            if how == "nav":
                # transitive members are seeded as direct members
                links.setdefault("%s/%s/%s" % (pset, pid, nav.replace("transitiveMembers", "members")), []).append(e["id"])
            elif how == "members":
                links.setdefault("%s/%s/members" % (tset, e["id"]), []).append(pid)
            elif how == "owners":
                links.setdefault("%s/%s/owners" % (tset, e["id"]), []).append(pid)
            elif how == "manager":
                links["users/%s/manager" % e["id"]] = pid
            else:
                links["%s/%s/manager" % (pset, pid)] = e["id"]
        if not ok:
            continue
        fixture.update(links)
        name = "get-" + slug(u)
        if name in seen:
            continue
        seen.add(name)
        rpath = "/v1.0" + encode(path if pid == PARENT and "{" not in path and not mm.group(4) else path)
        if "{" in path:
            rpath = "/v1.0/%s/%s/%s%s" % (pset, pid, nav, mm.group(7) or "")
        if query:
            rpath += "?" + encode(query)
        resource = "users" if mm.group(1) == "me" else pset
        add(resource, {"name": name, "source": MOCKS_SOURCE + ", GET " + url + " (relationship seeded as references)",
                       "setup": [{"seed": fixture}],
                       "request": {"method": "GET", "path": rpath, "headers": consistency_headers(query)},
                       "status": 200, "body": mask_response(body)})


# ---------------------------------------------------------------- docs: writes

def P(page):
    return "microsoft-graph-docs-contrib: api-reference/v1.0/api/" + page


def select_of(want):
    """$select of what a read-back checks: Graph's default property sets leave some out."""
    return "?$select=" + ",".join(k for k in want if not k.startswith("@"))


def create(resource, name, page, path, req, status, resp, setup=(), headers=None, readback=True):
    setup = list(setup)
    h = dict(headers or {})
    add(resource, {"name": name, "source": P(page), "setup": setup,
                   "request": {"method": "POST", "path": path, "headers": h, "body": req},
                   "status": status, "body": mask_created(resp, req)})
    if not readback:
        return
    want = {k: v for k, v in mask_created(resp, req).items()
            if k in req and not k.endswith("@odata.bind") and k != "passwordProfile"}
    want["id"] = "${id}"
    sel = select_of(want)
    steps = setup + [{"request": {"method": "POST", "path": path, "headers": h, "body": req},
                      "status": status, "capture": {"id": "id"}}]
    add(resource, {"name": name + "-then-get", "source": P(page) + " (created, then read back by id)",
                   "setup": steps, "request": {"method": "GET", "path": path + "/${id}" + sel},
                   "status": 200, "body": want})
    add(resource, {"name": name + "-then-list", "source": P(page) + " (created, then listed)",
                   "setup": steps, "request": {"method": "GET", "path": path + sel},
                   "status": 200, "body": {"@odata.context": "{{any}}", "value": [want]}})
    add(resource, {"name": name + "-then-delete", "source": P(page) + " (created, then deleted by id)",
                   "setup": steps, "request": {"method": "DELETE", "path": path + "/${id}"}, "status": 204})


def update(resource, name, page, setpath, entity, req, status, resp=None, readback=True):
    seed = seed_for(setpath, [entity])
    path = "/v1.0/%s/%s" % (setpath, entity["id"])
    ex = {"name": name, "source": P(page), "setup": [{"seed": seed}],
          "request": {"method": "PATCH", "path": path, "body": req}, "status": status}
    if resp is not None:
        ex["body"] = resp
    add(resource, ex)
    if readback:
        want = mask_created(req, req)
        want["id"] = entity["id"]
        add(resource, {"name": name + "-then-get", "source": P(page) + " (updated, then read back)",
                       "setup": [{"seed": seed}, {"request": {"method": "PATCH", "path": path, "body": req}}],
                       "request": {"method": "GET", "path": path + select_of(want)}, "status": 200, "body": want})


def updated(resp, req):
    """What a documented update response shows of the members its request sets (the documented id
    masked): the other members describe the document's own entity, which the seed does not hold."""
    out = {"id": "{{id}}"} if "id" in resp else {}
    out.update({k: v for k, v in resp.items() if k in req})
    return out


def delete(resource, name, page, setpath, entity):
    seed = seed_for(setpath, [entity])
    path = "/v1.0/%s/%s" % (setpath, entity["id"])
    add(resource, {"name": name, "source": P(page), "setup": [{"seed": seed}],
                   "request": {"method": "DELETE", "path": path}, "status": 204})
    add(resource, {"name": name + "-then-get", "source": P(page) + " (deleted, then read: 404)",
                   "setup": [{"seed": seed}, {"request": {"method": "DELETE", "path": path}, "status": 204}],
                   "request": {"method": "GET", "path": path}, "status": 404,
                   "body": {"error": {"code": "{{any}}", "message": "{{any}}"}}})


def docs():
    # users
    create("users", "create-user", "user-post-users.md", "/v1.0/users",
           {"accountEnabled": True, "displayName": "Adele Vance", "mailNickname": "AdeleV",
            "userPrincipalName": "AdeleV@contoso.onmicrosoft.com",
            "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": "xWwvJ]6NMw+bWH-d"}},
           201, {"@odata.context": GRAPH + "/v1.0/$metadata#users/$entity", "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
                 "businessPhones": [], "displayName": "Adele Vance", "givenName": "Adele", "jobTitle": "Product Marketing Manager",
                 "mail": "AdeleV@contoso.onmicrosoft.com", "mobilePhone": "+1 425 555 0109", "officeLocation": "18/2111",
                 "preferredLanguage": "en-US", "surname": "Vance", "userPrincipalName": "AdeleV@contoso.onmicrosoft.com"})
    create("users", "create-user-identities", "user-post-users.md", "/v1.0/users",
           {"displayName": "John Smith", "identities": [
               {"signInType": "userName", "issuer": "contoso.onmicrosoft.com", "issuerAssignedId": "johnsmith"},
               {"signInType": "emailAddress", "issuer": "contoso.onmicrosoft.com", "issuerAssignedId": "jsmith@yahoo.com"},
               {"signInType": "federated", "issuer": "facebook.com", "issuerAssignedId": "5eecb0cd"}],
            "passwordProfile": {"password": "password-value", "forceChangePasswordNextSignIn": False},
            "passwordPolicies": "DisablePasswordExpiration"},
           201, {"@odata.context": GRAPH + "/v1.0/$metadata#users/$entity", "displayName": "John Smith",
                 "id": "4c7be08b-361f-41a8-b1ef-1712f7a3dfb2",
                 "identities": [
                     {"signInType": "userName", "issuer": "contoso.onmicrosoft.com", "issuerAssignedId": "johnsmith"},
                     {"signInType": "emailAddress", "issuer": "contoso.onmicrosoft.com", "issuerAssignedId": "jsmith@yahoo.com"},
                     {"signInType": "federated", "issuer": "facebook.com", "issuerAssignedId": "5eecb0cd"}],
                 "passwordPolicies": "DisablePasswordExpiration"}, readback=False)
    user = {"id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd", "displayName": "Adele Vance", "accountEnabled": True,
            "mailNickname": "AdeleV", "userPrincipalName": "AdeleV@contoso.onmicrosoft.com"}
    # user-update.md: examples 2 (PATCH /users/{id}) and 1 (PATCH /me) of the page as revised (the older
    # revision documents only PATCH /me, with placeholder values).
    update("users", "update-user", "user-update.md", "users", user,
           {"businessPhones": ["+1 425 555 0109"], "officeLocation": "18/2111"}, 204)
    add("users", {"name": "update-me", "source": P("user-update.md"), "setup": [],
                  "request": {"method": "PATCH", "path": "/v1.0/me",
                              "body": {"businessPhones": ["+1 425 555 0109"], "officeLocation": "18/2111"}},
                  "status": 204})
    delete("users", "delete-user", "user-delete.md", "users", user)

    # groups
    g1req = {"description": "Self help community for library", "displayName": "Library Assist", "groupTypes": ["Unified"],
             "mailEnabled": True, "mailNickname": "library", "securityEnabled": False}
    create("groups", "create-group", "group-post-groups.md", "/v1.0/groups", g1req, 201, {
        "id": "b320ee12-b1cd-4cca-b648-a437be61c5cd", "deletedDateTime": None, "classification": None,
        "createdDateTime": "2018-12-22T00:51:37Z", "description": "Self help community for library",
        "displayName": "Library Assist", "groupTypes": ["Unified"], "mail": "library7423@contoso.com", "mailEnabled": True,
        "mailNickname": "library", "onPremisesLastSyncDateTime": None, "onPremisesSecurityIdentifier": None,
        "onPremisesSyncEnabled": None, "preferredDataLocation": "CAN", "proxyAddresses": ["SMTP:library7423@contoso.com"],
        "renewedDateTime": "2018-12-22T00:51:37Z", "resourceBehaviorOptions": [], "resourceProvisioningOptions": [],
        "securityEnabled": False, "visibility": "Public", "onPremisesProvisioningErrors": []})
    users3 = {"users": [{"id": "26be1845-4119-4801-a799-aea79d09f1a2", "displayName": "Owner"},
                        {"id": "ff7cb387-6688-423c-8188-3da9532a73cc", "displayName": "Member 1"},
                        {"id": "69456242-0067-49d3-ba96-9de6f2728e14", "displayName": "Member 2"}]}
    g2req = {"description": "Group with designated owner and members", "displayName": "Operations group", "groupTypes": [],
             "mailEnabled": False, "mailNickname": "operations2019", "securityEnabled": True,
             "owners@odata.bind": [GRAPH + "/v1.0/users/26be1845-4119-4801-a799-aea79d09f1a2"],
             "members@odata.bind": [GRAPH + "/v1.0/users/ff7cb387-6688-423c-8188-3da9532a73cc",
                                    GRAPH + "/v1.0/users/69456242-0067-49d3-ba96-9de6f2728e14"]}
    create("groups", "create-group-with-owners-and-members", "group-post-groups.md", "/v1.0/groups", g2req, 201, {
        "@odata.context": GRAPH + "/v1.0/$metadata#groups/$entity",
        "@odata.id": "https://graph.microsoft.com/v2/84841066-274d-4ec0-a5c1-276be684bdd3/directoryObjects/21d05557-b7b6-418f-86fa-a3118d751be4/Microsoft.DirectoryServices.Group",
        "id": "21d05557-b7b6-418f-86fa-a3118d751be4", "deletedDateTime": None, "classification": None, "createdDateTime": "2021-09-21T07:09:14Z",
        "description": "Group with designated owner and members", "displayName": "Operations group",
        "expirationDateTime": None, "groupTypes": [], "isAssignableToRole": None, "mail": None, "mailEnabled": False,
        "mailNickname": "operations2019", "membershipRule": None, "membershipRuleProcessingState": None,
        "onPremisesDomainName": None, "onPremisesLastSyncDateTime": None, "onPremisesNetBiosName": None,
        "onPremisesSamAccountName": None, "onPremisesSecurityIdentifier": None, "onPremisesSyncEnabled": None,
        "preferredDataLocation": None, "preferredLanguage": None, "proxyAddresses": [],
        "renewedDateTime": "2021-09-21T07:09:14Z", "resourceBehaviorOptions": [], "resourceProvisioningOptions": [],
        "securityEnabled": True, "securityIdentifier": "S-1-12-1-567301463-1099937718-295959174-3827004813",
        "theme": None, "visibility": None, "onPremisesProvisioningErrors": []}, setup=[{"seed": users3}])
    add("groups", {"name": "create-group-with-owners-and-members-then-members",
                   "source": P("group-post-groups.md") + " (created with members, then its members listed)",
                   "setup": [{"seed": users3}, {"request": {"method": "POST", "path": "/v1.0/groups", "body": g2req},
                                                "status": 201, "capture": {"id": "id"}}],
                   "request": {"method": "GET", "path": "/v1.0/groups/${id}/members?$select=id"},
                   "status": 200, "body": {"value": [{"@odata.type": "#microsoft.graph.user", "id": "ff7cb387-6688-423c-8188-3da9532a73cc"},
                                                     {"@odata.type": "#microsoft.graph.user", "id": "69456242-0067-49d3-ba96-9de6f2728e14"}]}})
    add("groups", {"name": "create-group-with-owners-and-members-then-owners",
                   "source": P("group-post-groups.md") + " (created with an owner, then its owners listed)",
                   "setup": [{"seed": users3}, {"request": {"method": "POST", "path": "/v1.0/groups", "body": g2req},
                                                "status": 201, "capture": {"id": "id"}}],
                   "request": {"method": "GET", "path": "/v1.0/groups/${id}/owners?$select=id"},
                   "status": 200, "body": {"value": [{"@odata.type": "#microsoft.graph.user", "id": "26be1845-4119-4801-a799-aea79d09f1a2"}]}})
    add("groups", {"name": "create-group-with-owners-and-members-then-memberof",
                   "source": P("group-post-groups.md") + " (created with members, then a member's memberOf)",
                   "setup": [{"seed": users3}, {"request": {"method": "POST", "path": "/v1.0/groups", "body": g2req},
                                                "status": 201, "capture": {"id": "id"}}],
                   "request": {"method": "GET", "path": "/v1.0/users/ff7cb387-6688-423c-8188-3da9532a73cc/memberOf?$select=id,displayName"},
                   "status": 200, "body": {"value": [{"@odata.type": "#microsoft.graph.group", "id": "${id}", "displayName": "Operations group"}]}})
    g3req = {"description": "Group assignable to a role", "displayName": "Role assignable group", "groupTypes": ["Unified"],
             "isAssignableToRole": True, "mailEnabled": True, "securityEnabled": True,
             "mailNickname": "contosohelpdeskadministrators",
             "owners@odata.bind": [GRAPH + "/v1.0/users/99e44b05-c10b-4e95-a523-e2732bbaba1e"],
             "members@odata.bind": [GRAPH + "/v1.0/users/6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0",
                                    GRAPH + "/v1.0/users/4562bcc8-c436-4f95-b7c0-4f8ce89dca5e"]}
    users3b = {"users": [{"id": "99e44b05-c10b-4e95-a523-e2732bbaba1e", "displayName": "Owner"},
                         {"id": "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0", "displayName": "Member 1"},
                         {"id": "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e", "displayName": "Member 2"}]}
    create("groups", "create-role-assignable-group", "group-post-groups.md", "/v1.0/groups", g3req, 201, {
        "@odata.context": GRAPH + "/v1.0/$metadata#groups/$entity",
        "@odata.id": "https://graph.microsoft.com/v2/84841066-274d-4ec0-a5c1-276be684bdd3/directoryObjects/55ea2e8c-757f-4f2d-be9e-53c22e8c6a54/Microsoft.DirectoryServices.Group",
        "id": "55ea2e8c-757f-4f2d-be9e-53c22e8c6a54", "deletedDateTime": None, "classification": None,
        "createdDateTime": "2021-09-21T07:23:06Z", "createdByAppId": "de8bc8b5-d9f9-48b1-a8ad-b748da725064",
        "organizationId": "84841066-274d-4ec0-a5c1-276be684bdd3", "description": "Group assignable to a role",
        "displayName": "Role assignable group", "expirationDateTime": None, "groupTypes": ["Unified"], "infoCatalogs": [],
        "isAssignableToRole": True, "isManagementRestricted": None,
        "mail": "contosohelpdeskadministrators@M365x010717.onmicrosoft.com", "mailEnabled": True,
        "mailNickname": "contosohelpdeskadministrators", "membershipRule": None, "membershipRuleProcessingState": None,
        "onPremisesDomainName": None, "onPremisesLastSyncDateTime": None, "onPremisesNetBiosName": None,
        "onPremisesSamAccountName": None, "onPremisesSecurityIdentifier": None, "onPremisesSyncEnabled": None,
        "preferredDataLocation": "EU", "preferredLanguage": None,
        "proxyAddresses": ["SMTP:contosohelpdeskadministrators@M365x010717.onmicrosoft.com"],
        "renewedDateTime": "2021-09-21T07:23:06Z", "resourceBehaviorOptions": [], "resourceProvisioningOptions": [],
        "securityEnabled": True, "securityIdentifier": "S-1-12-1-1441410700-1328379263-3260260030-1416268846",
        "theme": None, "visibility": "Private", "writebackConfiguration": {"isEnabled": None, "onPremisesGroupType": None},
        "onPremisesProvisioningErrors": []}, setup=[{"seed": users3b}], readback=False)
    group = {"id": "b320ee12-b1cd-4cca-b648-a437be61c5cd", "displayName": "Library Assist", "groupTypes": ["Unified"],
             "mailEnabled": True, "mailNickname": "library", "securityEnabled": False}
    update("groups", "update-group", "group-update.md", "groups", group,
           {"description": "Library Assist", "displayName": "Library Assist", "groupTypes": ["Unified"],
            "mailEnabled": True, "mailNickname": "library-help"}, 204)
    delete("groups", "delete-group", "group-delete.md", "groups", group)

    # applications
    create("applications", "create-application", "application-post-applications.md", "/v1.0/applications",
           {"displayName": "Display name"}, 201, {
               "@odata.context": GRAPH + "/v1.0/$metadata#applications/$entity", "id": "03ef14b0-ca33-4840-8f4f-d6e91916010e",
               "deletedDateTime": None, "isFallbackPublicClient": None, "appId": "631a96bc-a705-4eda-9f99-fdaf9f54f6a2",
               "applicationTemplateId": None, "identifierUris": [], "createdDateTime": "2019-09-17T19:10:35.2742618Z",
               "displayName": "Display name", "isDeviceOnlyAuthSupported": None, "groupMembershipClaims": None,
               "optionalClaims": None, "addIns": [], "publisherDomain": "contoso.onmicrosoft.com",
               "samlMetadataUrl": "https://graph.microsoft.com/2h5hjaj542de/app",
               "signInAudience": "AzureADandPersonalMicrosoftAccount", "tags": [], "tokenEncryptionKeyId": None,
               "api": {"requestedAccessTokenVersion": 2, "acceptMappedClaims": None, "knownClientApplications": [],
                       "oauth2PermissionScopes": [], "preAuthorizedApplications": []},
               "appRoles": [], "publicClient": {"redirectUris": []},
               "info": {"termsOfServiceUrl": None, "supportUrl": None, "privacyStatementUrl": None, "marketingUrl": None, "logoUrl": None},
               "keyCredentials": [], "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
               "passwordCredentials": [], "requiredResourceAccess": [],
               "web": {"redirectUris": [], "homePageUrl": None, "logoutUrl": None,
                       "implicitGrantSettings": {"enableIdTokenIssuance": False, "enableAccessTokenIssuance": False}}})
    add("applications", {"name": "create-application-then-service-principal",
                         "source": P("application-post-applications.md") + " then " + P("serviceprincipal-post-serviceprincipals.md") + " (the app's appId)",
                         "setup": [{"request": {"method": "POST", "path": "/v1.0/applications", "body": {"displayName": "Display name"}},
                                    "status": 201, "capture": {"appId": "appId"}}],
                         "request": {"method": "POST", "path": "/v1.0/servicePrincipals", "body": {"appId": "${appId}"}},
                         "status": 201, "body": {"id": "{{id}}", "appId": "${appId}", "appDisplayName": "Display name"}})
    app = {"id": "03ef14b0-ca33-4840-8f4f-d6e91916010e", "displayName": "Display name",
           "appId": "631a96bc-a705-4eda-9f99-fdaf9f54f6a2"}
    update("applications", "update-application", "application-update.md", "applications", app,
           {"displayName": "New display name"}, 204)
    delete("applications", "delete-application", "application-delete.md", "applications", app)

    # service principals
    spapp = {"applications": [{"id": "1bc1c026-0000-48a5-98da-afa2fd8bc7bc", "displayName": "My App",
                               "appId": "65415bb1-9267-4313-bbf5-ae259732ee12"}]}
    # serviceprincipal-post-serviceprincipals.md as revised: the older revision's request names
    # /serviceprincipals and its body has a trailing comma (not JSON); both answer the same.
    create("servicePrincipals", "create-service-principal", "serviceprincipal-post-serviceprincipals.md", "/v1.0/servicePrincipals",
           {"appId": "65415bb1-9267-4313-bbf5-ae259732ee12"}, 201, {
               "@odata.context": GRAPH + "/v1.0/$metadata#servicePrincipals/$entity", "id": "59e617e5-e447-4adc-8b88-00af644d7c92",
               "deletedDateTime": None, "accountEnabled": True, "appDisplayName": "My App",
               "appId": "65415bb1-9267-4313-bbf5-ae259732ee12", "appOwnerOrganizationId": "1bc1c026-2f7b-48a5-98da-afa2fd8bc7bc",
               "appRoleAssignmentRequired": False, "displayName": "foo", "homepage": None, "logoutUrl": None,
               "publisherName": "Contoso", "replyUrls": [], "servicePrincipalNames": ["f1bd758f-4a1a-4b71-aa20-a248a22a8928"],
               "tags": [], "addIns": [], "appRoles": [],
               "info": {"termsOfServiceUrl": None, "supportUrl": None, "privacyStatementUrl": None, "marketingUrl": None, "logoUrl": None},
               "keyCredentials": [], "oauth2PermissionScopes": [], "passwordCredentials": []}, setup=[{"seed": spapp}])
    sp = {"id": "59e617e5-e447-4adc-8b88-00af644d7c92", "appId": "65415bb1-9267-4313-bbf5-ae259732ee12", "displayName": "My App"}
    update("servicePrincipals", "update-service-principal", "serviceprincipal-update.md", "servicePrincipals", sp,
           {"appRoleAssignmentRequired": True}, 204)
    delete("servicePrincipals", "delete-service-principal", "serviceprincipal-delete.md", "servicePrincipals", sp)

    # devices
    dreq = {"accountEnabled": False, "alternativeSecurityIds": [{"type": 2, "key": "base64Y3YxN2E1MWFlYw=="}],
            "deviceId": "4c299165-6e8f-4b45-a5ba-c5d250a707ff", "displayName": "Test device",
            "operatingSystem": "linux", "operatingSystemVersion": "1"}
    dresp = dict(dreq, id="id-value")
    create("devices", "create-device", "device-post-devices.md", "/v1.0/devices", dreq, 201, dresp)
    dev = {"id": "7c06cd31-7c30-4f3b-a5c3-444cd8dd63ac", "displayName": "Test device", "accountEnabled": False,
           "deviceId": "4c299165-6e8f-4b45-a5ba-c5d250a707ff", "operatingSystem": "linux", "operatingSystemVersion": "1"}
    update("devices", "update-device", "device-update.md", "devices", dev, {"accountEnabled": False}, 204)
    delete("devices", "delete-device", "device-delete.md", "devices", dev)

    # contacts
    creq = {"givenName": "Pavel", "surname": "Bansky",
            "emailAddresses": [{"address": "pavelb@contoso.com", "name": "Pavel Bansky"}],
            "businessPhones": ["+1 732 555 0102"]}
    create("contacts", "create-contact", "user-post-contacts.md", "/v1.0/me/contacts", creq, 201, {
        "id": "id-value", "createdDateTime": "2015-11-09T02:14:32Z", "lastModifiedDateTime": "2015-11-09T02:14:32Z",
        "displayName": "Pavel Bansky"})
    contact = {"id": "AAMkADh6v5AAAvgTCEAAA=", "givenName": "Pavel", "surname": "Bansky"}
    creq2 = {"homeAddress": {"street": "123 Some street", "city": "Seattle", "state": "WA", "postalCode": "98121"},
             "birthday": "1974-07-22"}
    update("contacts", "update-contact", "contact-update.md", "me/contacts", contact, creq2, 200, updated({
        "id": "AAMkAGI2THk0AAA=", "createdDateTime": "2014-10-19T23:08:24Z", "lastModifiedDateTime": "2014-10-19T23:08:24Z",
        "changeKey": "EQAAABYAAACd9nJ/tVysQos2hTfspaWRAAADTIa4", "categories": [], "parentFolderId": "AAMkAGI2AAEOAAA=",
        "birthday": "1974-07-22", "fileAs": "Fort, Garth", "displayName": "Garth Fort", "givenName": "Garth", "initials": "G.F.",
        "middleName": None, "nickName": "Garth", "surname": "Fort", "title": None, "yomiGivenName": None, "yomiSurname": None,
        "yomiCompanyName": None, "generation": None,
        "emailAddresses": [{"name": "Garth", "address": "garth@a830edad9050849NDA1.onmicrosoft.com"}],
        "imAddresses": ["sip:garthf@a830edad9050849nda1.onmicrosoft.com"], "jobTitle": "Web Marketing Manager",
        "companyName": "Contoso, Inc.", "department": "Sales & Marketing", "officeLocation": "20/1101", "profession": None,
        "businessHomePage": "https://www.contoso.com", "assistantName": None, "manager": None, "homePhones": [],
        "mobilePhone": None, "businessPhones": ["+1 918 555 0101"],
        "homeAddress": {"street": "123 Some street", "city": "Seattle", "state": "WA", "postalCode": "98121"},
        "businessAddress": {"street": "10 Contoso Way", "city": "Redmond", "state": "WA", "countryOrRegion": "USA",
                            "postalCode": "98075"},
        "otherAddress": {}, "spouseName": None, "personalNotes": None, "children": []}, creq2))
    delete("contacts", "delete-contact", "contact-delete.md", "me/contacts", contact)

    # messages
    m1 = {"subject": "Did you see last night's game?", "importance": "Low",
          "body": {"contentType": "HTML", "content": "They were <b>awesome</b>!"},
          "toRecipients": [{"emailAddress": {"address": "AdeleV@contoso.onmicrosoft.com"}}]}
    create("messages", "create-message", "user-post-messages.md", "/v1.0/me/messages", m1, 201, {
        "@odata.context": GRAPH + "/v1.0/$metadata#users('94447c6e-ea4c-494c-a9ed-d905e366c5cb')/messages/$entity",
        "@odata.etag": "W/\"CQAAABYAAABK4UfANE/UR5clSilZtIuWAAC1vdti\"", "id": "AAMkADNlNYjSAAA=",
        "createdDateTime": "2017-07-22T01:53:56Z", "lastModifiedDateTime": "2017-07-22T01:53:57Z",
        "changeKey": "CQAAABYAAABK4UfANE/UR5clSilZtIuWAAC1vdti", "categories": [],
        "receivedDateTime": "2017-07-22T01:53:57Z", "sentDateTime": "2017-07-22T01:53:57Z", "hasAttachments": False,
        "internetMessageId": "<MWHPR1301MB@MWHPR1301MB.namprd13.prod.outlook.com>",
        "subject": "Did you see last night's game?", "bodyPreview": "They were awesome!", "importance": "low",
        "parentFolderId": "AAMkADNlNWAAAAAAEPAAA=", "conversationId": "AAQkADNlNFdXGBnqtY=",
        "conversationIndex": "AQHTe7/VAniOJVgCxEmtF1z6ZY1rFQ==", "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False, "isRead": True, "isDraft": True,
        "webLink": "https://outlook.office365.com/owa/?ItemID=AAMkADNlNYjSAAA%3D&exvsurl=1&viewmodel=ReadMessageItem",
        "inferenceClassification": "focused",
        "body": {"contentType": "html",
                 "content": "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n"
                            "<meta content=\"text/html; charset=us-ascii\">\r\n</head>\r\n<body>\r\nThey were <b>awesome</b>!\r\n"
                            "</body>\r\n</html>\r\n"},
        "toRecipients": [{"emailAddress": {"name": "Adele Vance", "address": "AdeleV@contoso.onmicrosoft.com"}}],
        "ccRecipients": [], "bccRecipients": [], "replyTo": []})
    m2 = {"subject": "9/8/2018: concert", "body": {"contentType": "HTML", "content": "The group represents Washington."},
          "toRecipients": [{"emailAddress": {"address": "AlexW@contoso.OnMicrosoft.com"}}],
          "internetMessageHeaders": [{"name": "x-custom-header-group-name", "value": "Washington"},
                                     {"name": "x-custom-header-group-id", "value": "WA001"}]}
    create("messages", "create-message-with-headers", "user-post-messages.md", "/v1.0/me/messages", m2, 201, {
        "@odata.context": GRAPH + "/v1.0/$metadata#users('7f180cbb-a5ae-457c-b7e8-6f5b42ba33e7')/messages/$entity",
        "@odata.etag": "W/\"CQAAABYAAAC4ofQHEIqCSbQPot83AFcbAAAnjjuE\"", "id": "AAMkADhNmAAA=",
        "createdDateTime": "2018-09-09T02:54:56Z", "lastModifiedDateTime": "2018-09-09T02:54:56Z",
        "changeKey": "CQAAABYAAAC4ofQHEIqCSbQPot83AFcbAAAnjjuE", "categories": [],
        "receivedDateTime": "2018-09-09T02:54:56Z", "sentDateTime": "2018-09-09T02:54:56Z", "hasAttachments": False,
        "internetMessageId": "<MWHPR220MB1120.namprd22.prod.outlook.com>", "subject": "9/8/2018: concert",
        "bodyPreview": "The group represents Washington.", "importance": "normal", "parentFolderId": "AAMkADhAAAAAAEPAAA=",
        "conversationId": "AAQkADhNCuP8OKSm-0NE=", "isDeliveryReceiptRequested": False, "isReadReceiptRequested": False,
        "isRead": True, "isDraft": True,
        "webLink": "https://outlook.office365.com/owa/?ItemID=AAMkADhNmAAA%3D&exvsurl=1&viewmodel=ReadMessageItem",
        "inferenceClassification": "focused",
        "body": {"contentType": "html",
                 "content": "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n"
                            "<meta content=\"text/html; charset=us-ascii\">\r\n</head>\r\n<body>\r\nThe group represents Washington.\r\n"
                            "</body>\r\n</html>\r\n"},
        "toRecipients": [{"emailAddress": {"name": "Alex Wilber", "address": "AlexW@contoso.OnMicrosoft.com"}}],
        "ccRecipients": [], "bccRecipients": [], "replyTo": [], "flag": {"flagStatus": "notFlagged"}}, readback=False)
    msg = {"id": "AAMkADhAAAW-VPeAAA=", "subject": "Did you see last night's game?",
           "body": {"contentType": "text", "content": "They were awesome!"}}
    # message-update.md has this one example (no isRead update).
    mreq = {"subject": "subject-value", "body": {"contentType": "", "content": "content-value"}, "inferenceClassification": "other"}
    update("messages", "update-message", "message-update.md", "me/messages", msg, mreq, 200, updated({
        "receivedDateTime": "datetime-value", "sentDateTime": "datetime-value", "hasAttachments": True,
        "subject": "subject-value", "body": {"contentType": "", "content": "content-value"},
        "bodyPreview": "bodyPreview-value", "inferenceClassification": "other"}, mreq), readback=False)
    delete("messages", "delete-message", "message-delete.md", "me/messages", msg)

    # events: user-post-events.md in the revision with these three examples (a later one rewrites
    # example 1's request: "Does noon work for you?", allowNewTimeProposals, transactionId).
    tz = {"Prefer": "outlook.timezone=\"Pacific Standard Time\""}
    e1 = {"subject": "Let's go for lunch", "body": {"contentType": "HTML", "content": "Does late morning work for you?"},
          "start": {"dateTime": "2017-04-15T12:00:00", "timeZone": "Pacific Standard Time"},
          "end": {"dateTime": "2017-04-15T14:00:00", "timeZone": "Pacific Standard Time"},
          "location": {"displayName": "Harry's Bar"},
          "attendees": [{"emailAddress": {"address": "samanthab@contoso.onmicrosoft.com", "name": "Samantha Booth"}, "type": "required"}]}
    create("events", "create-event", "user-post-events.md", "/v1.0/me/events", e1, 201, {
        "@odata.context": GRAPH + "/v1.0/$metadata#users('cd209b0b-3f83-4c35-82d2-d88a61820480')/events/$entity",
        "@odata.etag": "W/\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\"", "id": "AAMkAGI1AAAt9AHjAAA=",
        "createdDateTime": "2017-04-15T03:00:50.7579581Z", "lastModifiedDateTime": "2017-04-15T03:00:51.245372Z",
        "changeKey": "ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==", "categories": [],
        "originalStartTimeZone": "Pacific Standard Time", "originalEndTimeZone": "Pacific Standard Time",
        "iCalUId": "040000008200E00074C5B7101A82E00800000000DA2B357D94B5D201000000000000000010000000EC4597557F0CB34EA4CC2887EA7B17C3",
        "reminderMinutesBeforeStart": 15, "isReminderOn": True, "hasAttachments": False, "subject": "Let's go brunch",
        "bodyPreview": "Does late morning work for you?", "importance": "normal", "sensitivity": "normal", "isAllDay": False,
        "isCancelled": False, "isOrganizer": True, "responseRequested": True, "seriesMasterId": None, "showAs": "busy",
        "type": "singleInstance",
        "webLink": "https://outlook.office365.com/owa/?itemid=AAMkAGI1AAAt9AHjAAA%3D&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None, "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": "html", "content": "<html><head></head><body>Does late morning work for you?</body></html>"},
        "start": {"dateTime": "2017-04-15T11:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2017-04-15T12:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "location": {"displayName": "Harry's Bar", "locationType": "default", "uniqueId": "Harry's Bar", "uniqueIdType": "private"},
        "locations": [{"displayName": "Harry's Bar", "locationType": "default", "uniqueIdType": "unknown"}],
        "recurrence": None,
        "attendees": [{"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                       "emailAddress": {"name": "Samantha Booth", "address": "samanthab@contoso.onmicrosoft.com"}}],
        "organizer": {"emailAddress": {"name": "Dana Swope", "address": "danas@contoso.onmicrosoft.com"}}}, headers=tz)
    e2 = {"subject": "Plan summer company picnic", "body": {"contentType": "HTML", "content": "Let's kick-start this event planning!"},
          "start": {"dateTime": "2017-08-30T11:00:00", "timeZone": "Pacific Standard Time"},
          "end": {"dateTime": "2017-08-30T12:00:00", "timeZone": "Pacific Standard Time"},
          "attendees": [{"emailAddress": {"address": "DanaS@contoso.onmicrosoft.com", "name": "Dana Swope"}, "type": "Required"},
                        {"emailAddress": {"address": "AlexW@contoso.onmicrosoft.com", "name": "Alex Wilber"}, "type": "Required"}],
          "location": {"displayName": "Conf Room 3; Fourth Coffee; Home Office", "locationType": "Default"},
          "locations": [{"displayName": "Conf Room 3"},
                        {"displayName": "Fourth Coffee", "address": {"street": "4567 Main St", "city": "Redmond", "state": "WA",
                                                                     "countryOrRegion": "US", "postalCode": "32008"},
                         "coordinates": {"latitude": 47.672, "longitude": -102.103}},
                        {"displayName": "Home Office"}]}
    create("events", "create-event-multiple-locations", "user-post-events.md", "/v1.0/me/events", e2, 201, {
        "@odata.context": GRAPH + "/v1.0/$metadata#users('d1a2fae9-db66-4cc9-8133-2184c77af1b8')/events/$entity",
        "@odata.etag": "W/\"y53lbKh6jkaxHzFwGhgyxgAAw5zhug==\"", "id": "AAMkADAGAADDdm4NAAA=",
        "createdDateTime": "2017-08-30T07:06:33.8673345Z", "lastModifiedDateTime": "2017-08-30T07:06:34.5079772Z",
        "changeKey": "y53lbKh6jkaxHzFwGhgyxgAAz3IKMA==", "categories": [],
        "originalStartTimeZone": "Pacific Standard Time", "originalEndTimeZone": "Pacific Standard Time",
        "iCalUId": "04000000820089190544", "reminderMinutesBeforeStart": 15, "isReminderOn": True, "hasAttachments": False,
        "subject": "Plan summer company picnic", "bodyPreview": "Let's kick-start this event planning!", "importance": "normal",
        "sensitivity": "normal", "isAllDay": False, "isCancelled": False, "isOrganizer": True, "responseRequested": True,
        "seriesMasterId": None, "showAs": "busy", "type": "singleInstance",
        "webLink": "https://outlook.office365.com/owa/?itemid=AAMkADAGAADDdm4NAAA%3D&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None, "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": "html",
                 "content": "<html>\r\n<head>\r\n</head>\r\n<body>\r\nLet's kick-start this event planning!\r\n</body>\r\n</html>\r\n"},
        "start": {"dateTime": "2017-08-30T11:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2017-08-30T12:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "location": {"displayName": "Conf Room 3; Fourth Coffee; Home Office", "locationType": "default",
                     "uniqueId": "Conf Room 3; Fourth Coffee; Home Office", "uniqueIdType": "private"},
        "locations": [{"displayName": "Conf Room 3", "locationType": "default", "uniqueIdType": "unknown"},
                      {"displayName": "Fourth Coffee", "locationType": "default", "uniqueId": "Fourth Coffee", "uniqueIdType": "private",
                       "address": {"street": "4567 Main St", "city": "Redmond", "state": "WA", "countryOrRegion": "US", "postalCode": "32008"},
                       "coordinates": {"latitude": 47.672, "longitude": -102.103}},
                      {"displayName": "Home Office", "locationType": "default", "uniqueIdType": "unknown"}],
        "recurrence": None,
        "attendees": [{"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                       "emailAddress": {"name": "Dana Swope", "address": "DanaS@contoso.onmicrosoft.com"}},
                      {"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                       "emailAddress": {"name": "Alex Wilber", "address": "AlexW@contoso.onmicrosoft.com"}}],
        "organizer": {"emailAddress": {"name": "Adele Vance", "address": "AdeleV@contoso.onmicrosoft.com"}}},
        headers=tz, readback=False)
    e3 = {"subject": "Let's go for lunch", "body": {"contentType": "HTML", "content": "Does noon time work for you?"},
          "start": {"dateTime": "2017-09-04T12:00:00", "timeZone": "Pacific Standard Time"},
          "end": {"dateTime": "2017-09-04T14:00:00", "timeZone": "Pacific Standard Time"},
          "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["Monday"]},
                         "range": {"type": "endDate", "startDate": "2017-09-04", "endDate": "2017-12-31"}},
          "location": {"displayName": "Harry's Bar"},
          "attendees": [{"emailAddress": {"address": "AdeleV@contoso.onmicrosoft.com", "name": "Adele Vance"}, "type": "required"}]}
    create("events", "create-event-recurring", "user-post-events.md", "/v1.0/me/events", e3, 201, {
        "@odata.context": GRAPH + "/v1.0/$metadata#users('919717da-0460-4cca-a6be-d25382429896')/events/$entity",
        "@odata.etag": "W/\"+T8RDneHMkKe2BGYEaQZ4wAA5a9Acw==\"", "id": "AAMkADQwMD",
        "createdDateTime": "2017-10-07T04:59:12.9698856Z", "lastModifiedDateTime": "2017-10-07T04:59:13.8136423Z",
        "changeKey": "+T8RDneHMkKe2BGYEaQZ4wAA5a9Acw==", "categories": [],
        "originalStartTimeZone": "Pacific Standard Time", "originalEndTimeZone": "Pacific Standard Time",
        "iCalUId": "040000008200E00074C5B7101A82E0080000000028CEBE04293FD3010000000000000000100000009F85AB8AF8ED4D4FAC777FA89954BDB7",
        "reminderMinutesBeforeStart": 15, "isReminderOn": True, "hasAttachments": False, "subject": "Let's go for lunch",
        "bodyPreview": "Does late morning work for you?", "importance": "normal", "sensitivity": "normal", "isAllDay": False,
        "isCancelled": False, "isOrganizer": True, "responseRequested": True, "seriesMasterId": None, "showAs": "busy",
        "type": "seriesMaster", "webLink": "https://outlook.office365.com/owa/?itemid=AAMkADQwMD&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None, "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": "html",
                 "content": "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n"
                            "<meta content=\"text/html; charset=us-ascii\">\r\n</head>\r\n<body>\r\nDoes late morning work for you?\r\n"
                            "</body>\r\n</html>\r\n"},
        "start": {"dateTime": "2017-09-04T12:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2017-09-04T14:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "location": {"displayName": "Harry's Bar", "locationType": "default", "uniqueId": "Harry's Bar", "uniqueIdType": "private"},
        "locations": [{"displayName": "Harry's Bar", "locationType": "default", "uniqueIdType": "unknown"}],
        "recurrence": {"pattern": {"type": "weekly", "interval": 1, "month": 0, "dayOfMonth": 0, "daysOfWeek": ["monday"],
                                   "firstDayOfWeek": "sunday", "index": "first"},
                       "range": {"type": "endDate", "startDate": "2017-09-04", "endDate": "2017-12-31",
                                 "recurrenceTimeZone": "Pacific Standard Time", "numberOfOccurrences": 0}},
        "attendees": [{"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                       "emailAddress": {"name": "Adele Vance", "address": "AdeleV@contoso.onmicrosoft.com"}}],
        "organizer": {"emailAddress": {"name": "Alex Wilber", "address": "AlexW@contoso.onmicrosoft.com"}},
        "OnlineMeeting": None}, readback=False)
    event = {"id": "AAMkAGIAAAoZDOFAAA=", "subject": "Let's go for lunch",
             "start": {"dateTime": "2017-04-15T12:00:00", "timeZone": "Pacific Standard Time"},
             "end": {"dateTime": "2017-04-15T14:00:00", "timeZone": "Pacific Standard Time"}}
    # event-update.md has this one example.
    evreq = {"originalStartTimeZone": "originalStartTimeZone-value", "originalEndTimeZone": "originalEndTimeZone-value",
             "responseStatus": {"response": "", "time": "datetime-value"}, "recurrence": None,
             "reminderMinutesBeforeStart": 99, "isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness",
             "isReminderOn": True, "hideAttendees": False, "categories": ["Red category"]}
    update("events", "update-event", "event-update.md", "me/events", event, evreq, 200, updated({
        "originalStartTimeZone": "originalStartTimeZone-value", "originalEndTimeZone": "originalEndTimeZone-value",
        "responseStatus": {"response": "", "time": "datetime-value"}, "recurrence": None, "reminderMinutesBeforeStart": 99,
        "isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness", "isReminderOn": True, "hideAttendees": False,
        "onlineMeeting": {
            "joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzIyNzhlMGEtM2YyZC00ZmY0LTlhNzUtZmZjNWFmZGNlNzE2%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22bc55b173-cff6-457d-b7a1-64bda7d7581a%22%7d",
            "conferenceId": "177513992", "tollNumber": "+91 22 6241 6885"}}, evreq), readback=False)
    delete("events", "delete-event", "event-delete.md", "me/events", event)

    # subscriptions
    sreq = {"changeType": "created", "notificationUrl": "https://webhook.azurewebsites.net/api/send/myNotifyClient",
            "resource": "me/mailFolders('Inbox')/messages", "expirationDateTime": "2016-11-20T18:23:45.9356913Z",
            "clientState": "secretClientValue", "latestSupportedTlsVersion": "v1_2"}
    create("subscriptions", "create-subscription", "subscription-post-subscriptions.md", "/v1.0/subscriptions", sreq, 201, {
        "@odata.context": GRAPH + "/v1.0/$metadata#subscriptions/$entity", "id": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "resource": "me/mailFolders('Inbox')/messages", "applicationId": "24d3b144-21ae-4080-943f-7067b395b913",
        "changeType": "created", "clientState": "secretClientValue",
        "notificationUrl": "https://webhook.azurewebsites.net/api/send/myNotifyClient",
        "expirationDateTime": "2016-11-20T18:23:45.9356913Z", "creatorId": "8ee44408-0679-472c-bc2a-692812af3437",
        "latestSupportedTlsVersion": "v1_2", "notificationContentType": "application/json"})
    sub = {"id": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07", "changeType": "created",
           "notificationUrl": "https://webhook.azurewebsites.net/api/send/myNotifyClient",
           "resource": "me/mailFolders('Inbox')/messages", "expirationDateTime": "2016-11-20T18:23:45.9356913Z",
           "clientState": "secretClientValue"}
    # subscription-update.md (the revision whose response is marked not truncated; a later one adds
    # lifecycleNotificationUrl, the encryption members and notificationContentType) answers with the
    # whole subscription: the seed holds the documented one, its expiry before the renewal (which the
    # page does not show) the create example's.
    sub_renewed = {"id": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07", "resource": "me/messages",
                   "applicationId": "24d3b144-21ae-4080-943f-7067b395b913", "changeType": "created,updated",
                   "clientState": "subscription-identifier",
                   "notificationUrl": "https://webhook.azurewebsites.net/api/send/myNotifyClient",
                   "expirationDateTime": "2016-11-22T18:23:45.9356913Z", "creatorId": "8ee44408-0679-472c-bc2a-692812af3437"}
    update("subscriptions", "update-subscription", "subscription-update.md", "subscriptions",
           dict(sub_renewed, expirationDateTime=sub["expirationDateTime"]),
           {"expirationDateTime": "2016-11-22T18:23:45.9356913Z"}, 200, sub_renewed)
    delete("subscriptions", "delete-subscription", "subscription-delete.md", "subscriptions", sub)
    # Not the examples of subscription-get.md and subscription-list.md (graph-mocks has those): the
    # subscription of subscription-post-subscriptions.md, seeded, read back through those two requests.
    add("subscriptions", {"name": "get-subscription",
                          "source": P("subscription-post-subscriptions.md") + " (the created subscription seeded, then read as in subscription-get.md)",
                          "setup": [{"seed": {"subscriptions": [sub]}}],
                          "request": {"method": "GET", "path": "/v1.0/subscriptions/" + sub["id"]}, "status": 200,
                          "body": mask_created(dict(sub, **{"@odata.context": GRAPH + "/v1.0/$metadata#subscriptions/$entity"}), sub)})
    add("subscriptions", {"name": "list-subscriptions",
                          "source": P("subscription-post-subscriptions.md") + " (the created subscription seeded, then listed as in subscription-list.md)",
                          "setup": [{"seed": {"subscriptions": [sub]}}],
                          "request": {"method": "GET", "path": "/v1.0/subscriptions"}, "status": 200,
                          "body": {"@odata.context": "{{base}}/v1.0/$metadata#subscriptions",
                                   "value": [mask_created(sub, sub)]}})


# ------------------------------------------------- the seed documents' set

def seed_set():
    body = {"@odata.type": "#microsoft.graph.office365ServicesUserCounts", "reportRefreshDate": "Date",
            "exchangeActive": 14, "exchangeInactive": 0, "oneDriveActive": 14, "oneDriveInactive": 0,
            "sharePointActive": 0, "sharePointInactive": 2, "skypeForBusinessActive": 6, "skypeForBusinessInactive": 8,
            "yammerActive": 12, "yammerInactive": 14, "teamsActive": 11, "teamsInactive": 13,
            "office365Active": 15, "office365Inactive": 1, "reportPeriod": "Report Period value"}
    src_c = "seed document \"Create office365ServicesUserCounts\" (create_office365servicesusercounts_from_)"
    src_u = "seed document \"Update office365ServicesUserCounts\" (update_office365servicesusercounts)"
    ct = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

    def resp(etag):
        r = {"@odata.context": "{{base}}/v1.0/$metadata#office365ServicesUserCounts/$entity",
             "@odata.type": "#microsoft.graph.office365ServicesUserCounts", "@odata.etag": etag, "id": "{{guid}}"}
        r.update({k: v for k, v in body.items() if k != "@odata.type"})
        return r
    R = "office365ServicesUserCounts"
    create_step = {"request": {"method": "POST", "path": "/v1.0/" + R, "headers": {"Content-Type": "application/json"}, "body": body},
                   "status": 201, "capture": {"id": "id"}}
    add(R, {"name": "create", "source": src_c, "match": "exact",
            "request": {"method": "POST", "path": "/v1.0/" + R, "headers": {"Content-Type": "application/json"}, "body": body},
            "status": 201,
            "headers": {"Content-Type": ct, "Location": "{{base}}/v1.0/" + R + "('{{guid}}')", "OData-Version": "4.0",
                        "request-id": "{{guid}}", "client-request-id": "{{guid}}", "ETag": "W/\"1\""},
            "body": resp("W/\"1\"")})
    upd = resp("W/\"2\"")
    upd["id"] = "${id}"
    add(R, {"name": "update", "source": src_u, "match": "exact", "setup": [create_step],
            "request": {"method": "PATCH", "path": "/v1.0/" + R + "/${id}", "headers": {"Content-Type": "application/json"}, "body": body},
            "status": 200,
            "headers": {"Content-Type": ct, "OData-Version": "4.0", "request-id": "{{guid}}", "client-request-id": "{{guid}}",
                        "ETag": "W/\"2\""},
            "body": upd})
    got = resp("W/\"1\"")
    got["id"] = "${id}"
    add(R, {"name": "create-then-get", "source": src_c + ", read back", "match": "exact", "setup": [create_step],
            "request": {"method": "GET", "path": "/v1.0/" + R + "/${id}"}, "status": 200, "body": got})
    got2 = dict(got)
    add(R, {"name": "create-then-get-parenthesized-key", "source": src_c + ", read back by the key in parentheses", "match": "exact",
            "setup": [create_step], "request": {"method": "GET", "path": "/v1.0/" + R + "('${id}')"}, "status": 200, "body": got2})
    item = dict(got)
    del item["@odata.context"]
    del item["@odata.type"]  # the set's own type: not written in a collection
    add(R, {"name": "create-then-list", "source": src_c + ", listed", "match": "exact", "setup": [create_step],
            "request": {"method": "GET", "path": "/v1.0/" + R}, "status": 200,
            "body": {"@odata.context": "{{base}}/v1.0/$metadata#" + R, "value": [item]}})
    add(R, {"name": "create-then-delete", "source": src_c + ", deleted", "setup": [create_step],
            "request": {"method": "DELETE", "path": "/v1.0/" + R + "/${id}"}, "status": 204})


def main():
    mocks = json.load(open(sys.argv[1]))["mocks"]
    seed_set()
    docs()
    from_mocks(mocks)
    from_mocks_refs(mocks)
    for resource, examples in corpus.items():
        has_mocks = any(e["source"].startswith("graph-mocks") for e in examples)
        sources = []
        if has_mocks:
            sources.append("waldekmastykarz/graph-mocks, graph-v1_0-proxy-mocks.json: MIT License, "
                           "Copyright (c) 2023 Waldek Mastykarz (see LICENSE.graph-mocks)")
        if any(e["source"].startswith("microsoft-graph-docs-contrib") for e in examples):
            sources.append("microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/api: request and response blocks")
        if resource == "office365ServicesUserCounts":
            sources.append("the seed documents (testdata/golden/seed)")
        for e in examples:
            for k in ("setup",):
                if not e.get(k):
                    e.pop(k, None)
            if not e["request"].get("headers"):
                e["request"].pop("headers", None)
        with open(os.path.join(HERE, resource + ".json"), "w") as f:
            json.dump({"resource": resource, "sources": sources, "examples": examples}, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(resource, len(examples))


main()
