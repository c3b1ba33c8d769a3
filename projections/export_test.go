package projections

// DropHistoryForTest makes a case's row as a list stored before it kept history.
func DropHistoryForTest(l *CaseList, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byID[id].history = nil
}
