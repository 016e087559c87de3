package chdb

// OrphanGrace is how long Start gives an orphaned engine before SIGKILL.
var OrphanGrace = &orphanGrace

// ChildEnvironment is the environment of an engine child serving dataDir
// on addr, with no parent recorded: an engine nobody stops.
func ChildEnvironment(lib, dataDir, addr, user, password string) []string {
	return childEnvironment(lib, Options{DataDir: dataDir, User: user, Password: password}, addr, "", 0)
}
