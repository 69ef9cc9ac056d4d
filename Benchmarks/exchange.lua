-- wrk script: POST a business-registration-status look-up to /api/v1/exchange/requests.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_EXCHANGE_TOKEN")
wrk.body = '{"consumerAgency":"1230000","informationType":"business.status","subject":{"businessNumber":"' .. os.getenv("BENCH_EXCHANGE_BUSINESS") ..
  '"},"purpose":"Bid eligibility check (benchmark)","legalBasis":"egov-act-36-statute"}'
