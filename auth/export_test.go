package auth

// HoldHashing takes every slot of s's cap on concurrent password checks, as
// that many sign-ins being checked at once would, until release is called.
func (s *Service) HoldHashing() (release func()) {
	s.checkPassword(func() string { return "" }, "") // make the semaphore
	n := cap(s.hashing)
	for range n {
		s.hashing <- struct{}{}
	}
	return func() {
		for range n {
			<-s.hashing
		}
	}
}
