"""Accessibility check of the portal pages with axe-core in headless Chromium.

Runs the WCAG 2.0, 2.1 and 2.2 level A and AA rules of axe-core (bundled by the PyPI package
axe-playwright-python, installed without its dependencies) on the pages of every kind of user,
and fails on any violation.

Usage: python accessibility_check.py BASE_URL TOTP_SECRET_BASE32
"""
import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import time

import axe_playwright_python
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, secret_b32 = sys.argv[1], sys.argv[2]
AXE = open(os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js"), encoding="utf-8").read()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def totp() -> str:
    secret = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(secret, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def browser():
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


failures = []
checked = 0


def audit(driver, label):
    global checked
    driver.execute_script(AXE)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: %s}}).then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));" % json.dumps(TAGS))
    violations = json.loads(result)
    checked += 1
    for violation in violations:
        targets = [node.get("target") for node in violation.get("nodes", [])][:3]
        failures.append(f"{label}: {violation['id']} ({violation.get('impact')}): {violation['help']} at {targets}")
    print(("ok  " if not violations else "FAIL") + f" {label} ({len(violations)} violations)")


def visit(driver, path, label=None):
    driver.get(base + path)
    audit(driver, label or path)


def sign_in(driver, username, second_factor):
    driver.get(base + "/login")
    driver.find_element(By.ID, "f-username").send_keys(username)
    driver.find_element(By.ID, "f-password").send_keys("Nara-demo-2026!")
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    if second_factor:
        WebDriverWait(driver, 15).until(lambda d: "/login/second-factor" in d.current_url)
        audit(driver, "/login/second-factor")
        driver.find_element(By.ID, "f-code").send_keys(totp())
        driver.find_element(By.CSS_SELECTOR, "form[action='/login/second-factor'] button[type=submit]").click()
        time.sleep(1)
        if "/login/second-factor" in driver.current_url:
            # The code of this 30 s step was already used by this account (codes are one-time): wait for the next.
            time.sleep(31 - time.time() % 30)
            driver.find_element(By.ID, "f-code").clear()
            driver.find_element(By.ID, "f-code").send_keys(totp())
            driver.find_element(By.CSS_SELECTOR, "form[action='/login/second-factor'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: "/login" not in d.current_url)


driver = browser()
try:
    driver.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "en-GB"})
    for path in ("/", "/login", "/register", "/agencies", "/calendar?start=2026-09-23&period=workingDays&count=3", "/no-such-page",
                 "/services", "/services?event=starting-a-business&q=%EC%8B%A0%EA%B3%A0", "/services/outdoor-advertising-permit", "/verify",
                 "/verify?n=1234567812345670&c=AAAAAAAA", "/procurement",
                 "/procurement/mall", "/procurement/mall?q=toner", "/procurement/dashboard", "/customs", "/customs/cargo?n=NO-SUCH-CARGO",
                 "/petitions", "/petitions/new", "/petitions/statistics", "/petitions/proposals", "/petitions/proposals?q=bus&sort=popular", "/petitions/e-petitions",
                 "/petitions/e-petitions?sort=closing", "/petitions/debates"):
        visit(driver, path)
    # Tenders in each stage: bids sealed, opened, awarded (with a complaint), contracted (with payments).
    labels = {"open": "Open for bids", "opened": "Opened", "awarded": "Awarded", "contracted": "Contracted"}
    for state in ("opened", "open", "awarded", "contracted"):
        driver.get(base + "/procurement")
        rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if labels[state] in r.text]
        if rows:
            rows[0].find_element(By.CSS_SELECTOR, "a").click()
            WebDriverWait(driver, 15).until(lambda d: "/procurement/tenders/" in d.current_url)
            audit(driver, f"tender ({state})")
        else:
            failures.append(f"no {state} tender in the demo data")
    # A form with errors: the error summary and the invalid fields.
    driver.get(base + "/register")
    driver.find_element(By.CSS_SELECTOR, "form[action='/register'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    audit(driver, "/register with errors")
    driver.get(base + "/language/ko?return=%2F")
    audit(driver, "/ in Korean")
    driver.get(base + "/language/en?return=%2F")

    sign_in(driver, "kim.minji", second_factor=False)
    for path in ("/my", "/my/access-log", "/my/lookups"):
        visit(driver, path, "citizen " + path)
    # A consent refused for a missing purpose: the error summary and the field errors.
    driver.get(base + "/my/lookups")
    driver.find_element(By.CSS_SELECTOR, "#consent-title ~ form button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    audit(driver, "citizen consent with errors")
    # Government24: applications, a certificate with its sharing forms, its verification, a new draft.
    for path in ("/civil/applications", "/my/documents"):
        visit(driver, path, "citizen " + path)
    driver.get(base + "/civil/applications")
    driver.find_element(By.CSS_SELECTOR, "table a").click()
    WebDriverWait(driver, 15).until(lambda d: "/civil/applications/" in d.current_url)
    audit(driver, "citizen application")
    driver.get(base + "/my/documents")
    driver.find_element(By.CSS_SELECTOR, "table a").click()
    WebDriverWait(driver, 15).until(lambda d: "/my/documents/" in d.current_url)
    audit(driver, "citizen document")
    facts = driver.find_elements(By.CSS_SELECTOR, "#doc-summary ~ dl dd")
    number, code = facts[0].text.strip(), facts[1].text.strip()
    driver.get(base + f"/verify?n={number}&c={code}")
    if "Genuine" not in driver.page_source:
        failures.append(f"/verify did not confirm the demo certificate {number}")
    audit(driver, "verification result")
    driver.get(base + "/services/resident-abstract")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/apply'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: "/civil/applications/" in d.current_url)
    audit(driver, "citizen new draft")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/submit'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    audit(driver, "citizen draft submitted with errors")
    # e-People: the complaint form refused, the citizen's complaints and an answered one with its rating and objection forms.
    driver.get(base + "/petitions/new")
    driver.find_element(By.CSS_SELECTOR, "form[action='/petitions/complaints'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    audit(driver, "citizen complaint form with errors")
    visit(driver, "/petitions/complaints", "citizen /petitions/complaints")
    complaint_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tbody a")]
    if not complaint_links:
        failures.append("the demo citizen kim.minji has no complaints")
    for index, link in enumerate(complaint_links[:2]):
        driver.get(link)
        audit(driver, f"citizen complaint {index + 1}")
    # Proposals, petitions and discussions as a citizen: support, sign, comment and report forms.
    visit(driver, "/petitions/proposals/new", "citizen proposal form")
    driver.find_element(By.CSS_SELECTOR, "form[action='/petitions/proposals'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    audit(driver, "citizen proposal form with errors")
    visit(driver, "/petitions/e-petitions/new", "citizen petition form")
    for listing, name in (("/petitions/proposals", "proposal"), ("/petitions/e-petitions", "petition"), ("/petitions/debates", "discussion")):
        driver.get(base + listing)
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tbody a")]
        if not links:
            failures.append(f"no {name} in the demo data")
        for index, link in enumerate(links[:2]):
            driver.get(link)
            audit(driver, f"citizen {name} {index + 1}")
    driver.delete_all_cookies()

    sign_in(driver, "official.pps", second_factor=True)
    visit(driver, "/workspace", "official /workspace")
    # The procurement officer: the office, the new-tender form (and refused), tenders with their forms, a contract, an order, the mall.
    for path in ("/procurement/office", "/procurement/office/tenders/new", "/procurement/office/frameworks/new", "/procurement/mall"):
        visit(driver, path, "procurement officer " + path)
    driver.get(base + "/procurement/office/tenders/new")
    driver.find_element(By.CSS_SELECTOR, "form[action='/procurement/office/tenders'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    audit(driver, "procurement officer new tender with errors")
    driver.get(base + "/procurement/office")
    office_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#office-tenders ~ table a, #office-tenders + table a, section a")]
    tender_links = [h for h in office_links if "/procurement/tenders/" in h]
    contract_links = [h for h in office_links if "/procurement/contracts/" in h]
    order_links = [h for h in office_links if "/procurement/orders/" in h]
    if len(tender_links) < 5 or not contract_links or not order_links:
        failures.append(f"the procurement office lists {len(tender_links)} tenders, {len(contract_links)} contracts, {len(order_links)} orders")
    for index, link in enumerate(tender_links):
        driver.get(link)
        audit(driver, f"procurement officer tender {index + 1}")
    for label, links in (("contract", contract_links), ("order", order_links)):
        if links:
            driver.get(links[0])
            audit(driver, f"procurement officer {label}")
    driver.delete_all_cookies()

    # A customs officer: the queue and a declaration with the officer's forms.
    sign_in(driver, "official.seoul-customs", second_factor=True)
    visit(driver, "/customs/declarations", "customs officer queue")
    queue_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tbody a")]
    if queue_links:
        driver.get(queue_links[0])
        audit(driver, "customs officer declaration")
    else:
        failures.append("the customs officers' queue is empty in the demo data")
    driver.delete_all_cookies()

    # The risk analyst and tariff officer: criteria, rates, the simulator's report, the tariff and the exchange rates.
    sign_in(driver, "official.kcs", second_factor=True)
    visit(driver, "/customs/reference", "risk analyst /customs/reference")
    driver.find_element(By.CSS_SELECTOR, "form[action='/customs/reference/simulate'] button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#simulation-title ~ table"))
    audit(driver, "risk analyst simulation report")
    driver.delete_all_cookies()

    # The review body's complaints.
    sign_in(driver, "official.moef", second_factor=True)
    visit(driver, "/procurement/review", "review body /procurement/review")
    driver.delete_all_cookies()

    # A supplier: the desk, a tender open for bids with the bid form, the form refused, a contract to its party.
    sign_in(driver, "daehan.trading", second_factor=False)
    visit(driver, "/procurement/supplier", "supplier /procurement/supplier")
    desk_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "section a")]
    driver.get(base + "/procurement?state=open")
    open_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tbody a")]
    if not open_links:
        failures.append("no tender open for bids in the demo data")
    else:
        driver.get(open_links[0])
        audit(driver, "supplier tender open for bids")
        driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]").click()
        WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
        audit(driver, "supplier bid refused")
    # The same business as a trader: the declaration form (and refused), its declarations, one of them, and its cargo's public tracking page.
    visit(driver, "/customs/declarations/new", "trader /customs/declarations/new")
    driver.find_element(By.CSS_SELECTOR, "form[action='/customs/declarations'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    audit(driver, "trader declaration form with errors")
    visit(driver, "/customs/declarations", "trader /customs/declarations")
    declaration_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tbody a")]
    if not declaration_links:
        failures.append("the demo trader daehan.trading has no customs declarations")
    else:
        driver.get(declaration_links[0])
        audit(driver, "trader declaration")
        cargo_links = []
        for link in declaration_links[:12]:
            driver.get(link)
            cargo_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href*='/customs/cargo?n=']")]
            if cargo_links:
                break
        if cargo_links:
            driver.get(cargo_links[0])
            audit(driver, "cargo tracking")
        else:
            failures.append("no demo declaration of daehan.trading links to its cargo")
    contracts = [h for h in desk_links if "/procurement/contracts/" in h]
    if contracts:
        driver.get(contracts[0])
        audit(driver, "supplier contract")
    else:
        failures.append("the supplier desk of daehan.trading lists no contract")
    driver.delete_all_cookies()

    # A resident registrar: the registries hub, a search, a record with its forms, the new-record form.
    sign_in(driver, "official.jongno", second_factor=True)
    for path in ("/registries", "/registries/residents?q=%EA%B9%80", "/registries/residents/new", "/registries/vehicles"):
        visit(driver, path, "registrar " + path)
    driver.get(base + "/registries/residents?q=%EA%B9%80%EB%AF%BC%EC%A7%80")
    driver.find_element(By.CSS_SELECTOR, "#results-title ~ table a").click()
    WebDriverWait(driver, 15).until(lambda d: "/registries/residents/" in d.current_url)
    audit(driver, "registrar resident record")
    # The district office's civil applications: the queue by due date, a case with its actions, issued documents.
    for path in ("/civil/queue", "/workspace/documents"):
        visit(driver, path, "civil officer " + path)
    driver.get(base + "/civil/queue")
    driver.find_element(By.CSS_SELECTOR, "table a").click()
    WebDriverWait(driver, 15).until(lambda d: "/civil/applications/" in d.current_url)
    audit(driver, "civil officer case")
    # The district's complaints: the queue and a complaint with the officer's forms.
    visit(driver, "/petitions/queue", "complaints officer queue")
    queue_links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tbody a")]
    if not queue_links:
        failures.append("the complaints queue of Jongno-gu is empty in the demo data")
    for index, link in enumerate(queue_links[:2]):
        driver.get(link)
        audit(driver, f"complaints officer complaint {index + 1}")
    # The district's petition awaiting its answer and a proposal to answer, with the answer forms.
    driver.get(base + "/petitions/e-petitions?state=awaiting_answer")
    awaiting = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tbody a")]
    if not awaiting:
        failures.append("no petition awaits its answer in the demo data")
    for link in awaiting[:1]:
        driver.get(link)
        if not driver.find_elements(By.CSS_SELECTOR, "form[action$='/answer']"):
            failures.append("the district officer has no answer form on the petition awaiting its answer")
        audit(driver, "participation officer petition")
    driver.delete_all_cookies()

    # An exchange steward: catalogue, grants with the grant and revoke forms, the agency's log.
    sign_in(driver, "official.nts", second_factor=True)
    visit(driver, "/exchange", "steward /exchange")
    driver.set_window_size(360, 800)
    driver.get(base + "/exchange")
    audit(driver, "steward /exchange at 360 px")
    overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 1:
        failures.append(f"/exchange scrolls horizontally by {overflow}px at 360 px width")
    driver.set_window_size(1280, 900)
    driver.delete_all_cookies()

    sign_in(driver, "operator", second_factor=True)
    visit(driver, "/petitions/moderation", "moderator /petitions/moderation")
    for path in ("/console", "/console/agencies", "/console/accounts", "/console/systems", "/console/calendar", "/console/audit"):
        visit(driver, path, "operator " + path)
    # Narrow screens: the layout must reflow without horizontal scrolling of the page.
    driver.set_window_size(360, 800)
    driver.get(base + "/console/accounts")
    audit(driver, "operator /console/accounts at 360 px")
    overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 1:
        failures.append(f"page scrolls horizontally by {overflow}px at 360 px width")
finally:
    driver.quit()

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"accessibility check passed: {checked} pages, axe-core rules {', '.join(TAGS)}")
