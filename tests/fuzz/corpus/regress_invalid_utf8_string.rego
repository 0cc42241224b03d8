package p

x := sprintf("%v %d %s %.2f %x %q %%", [1, 4, "s", 1.5, 255, "q"])
y := regex.match("^(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")
z := to_number("1e400Ò")
