# No secrets in manifests: accounts name environment variables (token_env, account_id_env) or credential
# entries, never the values; runtime settings hold no token-looking literals.
package main

import data.lib

token_pattern := `^(ghp_|github_pat_|gho_|glpat-|sk-|gsk_|hf_|xox[bp]-|AKIA|ASIA|AIza|nvapi-|csk-|npm_)[A-Za-z0-9_\-]{8,}`

reference_key(key) if endswith(key, "_env")

reference_key(key) if endswith(key, "_entry")

reference_key("name")

deny_secrets contains msg if {
	some provider, account in object.get(input, ["manifest", "spec", "accounts"], {})
	some key, value in account
	not reference_key(key)
	is_string(value)
	msg := {"msg": sprintf("accounts.%s.%s holds a literal; name an environment variable with %s_env instead", [provider, key, key]), "field": "spec"}
}

deny_secrets contains msg if {
	some w in lib.workloads
	some key, value in object.get(w, ["runtime", "env"], {})
	is_string(value)
	regex.match(token_pattern, value)
	msg := {"msg": sprintf("workload %s sets %s to a token-looking literal; read it from the environment", [w.name, key]), "workload": w.name}
}
