package p

allow if {
  input.user == "admin"
  every r in input.roles { startswith(r, "x") }
  not input.blocked
}
#input
{"user":"admin","roles":["xa","xb"],"blocked":false}
