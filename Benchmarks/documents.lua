-- POST a JSON body with a bearer token; the body and token come from the environment
-- (BENCH_DOCUMENT_BODY, BENCH_DOCUMENT_TOKEN), set by Benchmarks/documents.sh.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_DOCUMENT_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
wrk.body = os.getenv("BENCH_DOCUMENT_BODY")
