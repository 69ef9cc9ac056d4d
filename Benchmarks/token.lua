-- wrk script: POST the client-credentials grant to /api/v1/auth/token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"grant_type":"client_credentials","client_id":"' .. os.getenv("NARA_BENCH_CLIENT_ID") .. '","client_secret":"' .. os.getenv("NARA_BENCH_CLIENT_SECRET") .. '"}'
