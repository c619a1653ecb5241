package tcp

import "log/slog"

type logger struct{ l *slog.Logger }

func (l logger) info(msg string, party int, args ...any) {
	l.l.Info("tcp: "+msg, append([]any{"party", party}, args...)...)
}

func (l logger) debug(msg string, party int, err error) {
	if err == nil {
		l.l.Debug("tcp: "+msg, "party", party)
		return
	}
	l.l.Debug("tcp: "+msg, "party", party, "err", err)
}

func (l logger) warn(msg string, party int, err error) {
	l.l.Warn("tcp: "+msg, "party", party, "err", err)
}
