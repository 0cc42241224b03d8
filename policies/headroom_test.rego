package main_test

import data.main

test_low_utilisation_is_quiet if {
	count(main.warn_quota_headroom) == 0 with input as {"placement": {"assignments": [{"workload": "web", "offering": "o", "utilisation": {"requests": 0.5}}]}}
}

test_high_utilisation_warns if {
	count(main.warn_quota_headroom) == 1 with input as {"placement": {"assignments": [{"workload": "web", "offering": "o", "utilisation": {"requests": 0.9, "storage": 0.1}}]}}
}

test_ledger_window_near_limit_warns if {
	count(main.warn_quota_headroom) == 1 with input as {"quota": [{"provider": "groq", "pool": "groq/llama", "dimension": "requests", "used": 950, "limit": 1000}]}
}
