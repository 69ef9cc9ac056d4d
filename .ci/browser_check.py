"""Real-browser check: a demo official signs in with password and TOTP in headless Chromium.

Usage: python browser_check.py BASE_URL TOTP_SECRET_BASE32
"""
import base64
import hashlib
import hmac
import struct
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, secret_b32 = sys.argv[1], sys.argv[2]


def totp(secret_b32: str) -> str:
    secret = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    step = int(time.time() // 30)
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


options = Options()
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-GB"):
    options.add_argument(flag)
for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
    try:
        open(path).close()
        options.binary_location = path
        break
    except OSError:
        pass
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
wait = WebDriverWait(driver, 15)


def check(condition: bool, message: str) -> None:
    if not condition:
        print("FAIL:", message)
        print(driver.current_url)
        print(driver.page_source[:3000])
        driver.quit()
        sys.exit(1)
    print("ok:", message)


try:
    driver.get(base + "/")
    check("Nara" in driver.title, "home page loads")
    # Keyboard users reach the skip link first.
    skip = driver.find_element(By.CSS_SELECTOR, "a.skip-link")
    check(skip.get_attribute("href").endswith("#main"), "skip link to main content")
    check(not driver.find_elements(By.TAG_NAME, "script"), "pages work without JavaScript")

    driver.get(base + "/login")
    driver.find_element(By.ID, "f-username").send_keys("official.mois")
    driver.find_element(By.ID, "f-password").send_keys("Nara-demo-2026!")
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    wait.until(lambda d: "/login/second-factor" in d.current_url)
    check("/login/second-factor" in driver.current_url, "password accepted, second factor asked")

    # A wrong code first: the error summary links to the field.
    driver.find_element(By.ID, "f-code").send_keys("000000")
    driver.find_element(By.CSS_SELECTOR, "form[action='/login/second-factor'] button[type=submit]").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
    check(driver.find_elements(By.CSS_SELECTOR, ".error-summary a[href='#f-code']"), "a wrong code is reported against the field")

    code_field = driver.find_element(By.ID, "f-code")
    code_field.clear()
    code_field.send_keys(totp(secret_b32))
    driver.find_element(By.CSS_SELECTOR, "form[action='/login/second-factor'] button[type=submit]").click()
    wait.until(lambda d: "/login" not in d.current_url)
    driver.get(base + "/workspace")
    heading = driver.find_element(By.TAG_NAME, "h1").text
    check(driver.find_elements(By.ID, "certificate"), f"official reaches the agency workspace ({heading})")
    cookie = driver.get_cookie("nara_session")
    check(cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Lax", "session cookie is HttpOnly and SameSite=Lax")

    driver.find_element(By.CSS_SELECTOR, "a[hreflang='ko']").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko", "language switch to Korean")

    driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait.until(lambda d: "notice=signed_out" in d.current_url)
    driver.get(base + "/workspace")
    check("/login" in driver.current_url, "signed out: the workspace asks to sign in again")
finally:
    driver.quit()
print("browser check passed")
