package main_test

import data.main

test_env_references_pass if {
	count(main.deny_secrets) == 0 with input as {"manifest": {"spec": {"accounts": {"cloudflare": {"token_env": "CF_TOKEN", "account_id_env": "CF_ACCOUNT"}}}}}
}

test_literal_token_in_accounts_denied if {
	count(main.deny_secrets) == 1 with input as {"manifest": {"spec": {"accounts": {"cloudflare": {"token": "abc123"}}}}}
}

test_token_in_runtime_env_denied if {
	some d in main.deny_secrets with input as {"manifest": {"spec": {"workloads": [{"name": "web", "runtime": {"env": {"GH": "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}}}]}}}
	d.workload == "web"
}

test_plain_settings_pass if {
	count(main.deny_secrets) == 0 with input as {"manifest": {"spec": {"workloads": [{"name": "web", "runtime": {"env": {"MODE": "production"}}}]}}}
}
