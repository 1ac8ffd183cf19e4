package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// segment is one file of a rotated log set, oldest first. frac is its share
// of the bytes (0 for a single file); gz compresses it; syslog selects the
// classic "Nov 27 03:12:01" stamp for sshd logs.
type segment struct {
	path   string
	frac   float64
	gz     bool
	syslog bool
}

// logWriter streams the lines of a rotated log set to disk, moving to the
// next segment when the current one has its share of the budget.
type logWriter struct {
	dir     string
	segs    []segment
	bounds  []int64
	budget  int64
	written int64
	cur     int
	f       *os.File
	gz      *gzip.Writer
	w       *bufio.Writer
	buf     []byte
}

func newLogWriter(dir string, budget int64, segs []segment) (*logWriter, error) {
	lw := &logWriter{dir: dir, segs: segs, budget: budget, cur: -1}
	var acc float64
	for i, s := range segs {
		acc += s.frac
		if i == len(segs)-1 || s.frac == 0 {
			lw.bounds = append(lw.bounds, budget)
		} else {
			lw.bounds = append(lw.bounds, int64(acc*float64(budget)))
		}
	}
	return lw, lw.next()
}

func (lw *logWriter) next() error {
	if err := lw.closeCur(); err != nil {
		return err
	}
	lw.cur++
	p := filepath.Join(lw.dir, filepath.FromSlash(lw.segs[lw.cur].path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	lw.f = f
	var w io.Writer = f
	if lw.segs[lw.cur].gz {
		lw.gz, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = lw.gz
	}
	lw.w = bufio.NewWriterSize(w, 1<<20)
	return nil
}

func (lw *logWriter) closeCur() error {
	if lw.f == nil {
		return nil
	}
	if err := lw.w.Flush(); err != nil {
		return err
	}
	if lw.gz != nil {
		if err := lw.gz.Close(); err != nil {
			return err
		}
		lw.gz = nil
	}
	err := lw.f.Close()
	lw.f = nil
	return err
}

// syslog reports whether the current segment uses classic syslog stamps.
func (lw *logWriter) syslog() bool { return lw.segs[lw.cur].syslog }

// line writes lw.buf plus a newline and resets lw.buf.
func (lw *logWriter) line() error {
	lw.buf = append(lw.buf, '\n')
	if lw.written >= lw.bounds[lw.cur] && lw.cur < len(lw.segs)-1 {
		if err := lw.next(); err != nil {
			return err
		}
	}
	_, err := lw.w.Write(lw.buf)
	lw.written += int64(len(lw.buf))
	lw.buf = lw.buf[:0]
	return err
}

// drive calls episode for instants from asOf-span towards asOf until the
// budget is written. Each episode writes one or more lines around t; the
// step to the next episode is drawn so that the bytes spread evenly over
// the span.
func drive(r *rand.Rand, lw *logWriter, episode func(t time.Time) error) error {
	t := asOf.Add(-span)
	for lw.written < lw.budget {
		before := lw.written
		if err := episode(t); err != nil {
			return err
		}
		n := lw.written - before
		remaining := lw.budget - lw.written
		if remaining <= 0 {
			break
		}
		left := asOf.Sub(t)
		step := time.Duration(float64(left) * float64(n) / float64(remaining) * r.ExpFloat64())
		t = t.Add(step)
		if lim := asOf.Add(-time.Minute); t.After(lim) {
			t = lim
		}
	}
	return lw.closeCur()
}

// clamp keeps a line's instant strictly before asOf (a syslog stamp after
// the as-of instant would be read as last year's).
func clamp(t time.Time) time.Time {
	if lim := asOf.Add(-time.Second); t.After(lim) {
		return lim
	}
	return t
}

func jitter(r *rand.Rand, max time.Duration) time.Duration {
	return time.Duration(r.Int64N(int64(max)))
}

// Address pools. Attackers come from the documentation ranges, then from
// the benchmarking range 198.18.0.0/15; clients from the CGNAT range.
type pools struct {
	attackers []string
	clients   []string
}

func newPools(r *rand.Rand, attackers, clients int) *pools {
	p := &pools{}
	nets := []string{"203.0.113.", "198.51.100.", "192.0.2."}
	for i := 0; i < attackers; i++ {
		if i < 3*254 {
			p.attackers = append(p.attackers, nets[i%3]+strconv.Itoa(1+i/3))
			continue
		}
		j := i - 3*254
		p.attackers = append(p.attackers, fmt.Sprintf("198.%d.%d.%d", 18+(j>>16)%2, (j>>8)&255, 1+j%254))
	}
	for i := 0; i < clients; i++ {
		p.clients = append(p.clients, fmt.Sprintf("100.%d.%d.%d", 64+r.IntN(64), r.IntN(256), 1+r.IntN(254)))
	}
	return p
}

// skewed picks from xs with a heavy head: a few addresses do most of the work.
func skewed(r *rand.Rand, xs []string) string {
	return xs[r.IntN(r.IntN(len(xs))+1)]
}

func port(r *rand.Rand) int { return 1024 + r.IntN(64511) }

// ---------------------------------------------------------------------------
// sshd (auth.log)

var (
	guessedUsers = []string{"admin", "test", "user", "oracle", "ubuntu", "postgres", "git", "steam", "jenkins",
		"ftpuser", "guest", "support", "deploy1", "hadoop", "mysql", "pi", "minecraft", "www", "nagios", "ts3",
		"dev", "tomcat", "debian", "centos", "elastic", "kafka", "sol", "node", "validator", "ansible1"}
	sshKexErrors = []string{
		"error: kex_exchange_identification: Connection closed by remote host",
		"error: kex_exchange_identification: read: Connection reset by peer",
		"error: kex_exchange_identification: banner line contains invalid characters",
	}
)

func (g *gen) sshdLogs() error {
	return g.sshdLog(g.budget(sshdLogBytes), []segment{
		{path: "data/logs/bastion/auth.log.2.gz", frac: 0.3, gz: true, syslog: true},
		{path: "data/logs/bastion/auth.log.1", frac: 0.35, syslog: true},
		{path: "data/logs/bastion/auth.log", frac: 0.35},
	})
}

func (g *gen) sshdLog(budget int64, segs []segment) error {
	r := g.events("sshd")
	lw, err := newLogWriter(g.dir, budget, segs)
	if err != nil {
		return err
	}
	g.logBytes += budget
	scale := g.scale
	if len(segs) == 1 {
		scale = int(budget/(10*mb)) + 1
	}
	p := newPools(g.rng("sshd/pools"), 300*scale, 2000*scale)
	users := g.bastionUsers
	if len(users) == 0 {
		users = []string{"anna.keller", "deploy"}
	}
	pid := 14000 + r.IntN(1000)
	// prefix writes "<stamp> bastion-01 <prog>[pid]: ".
	prefix := func(t time.Time, prog string, id int) {
		t = clamp(t)
		if lw.syslog() {
			lw.buf = t.UTC().AppendFormat(lw.buf, "Jan _2 15:04:05")
		} else {
			lw.buf = t.UTC().AppendFormat(lw.buf, "2006-01-02T15:04:05.000000-07:00")
			if prog == "sshd" {
				prog = "sshd-session"
			}
		}
		lw.buf = append(lw.buf, " bastion-01 "...)
		lw.buf = append(lw.buf, prog...)
		if id > 0 {
			lw.buf = append(lw.buf, '[')
			lw.buf = strconv.AppendInt(lw.buf, int64(id), 10)
			lw.buf = append(lw.buf, ']')
		}
		lw.buf = append(lw.buf, ": "...)
	}
	sshd := func(t time.Time, id int, msg string, args ...any) error {
		prefix(t, "sshd", id)
		lw.buf = fmt.Appendf(lw.buf, msg, args...)
		return lw.line()
	}
	return drive(r, lw, func(t time.Time) error {
		pid += 1 + r.IntN(40)
		if pid > 4000000 {
			pid = 1000
		}
		ip, pt := skewed(r, p.attackers), port(r)
		switch k := r.IntN(1000); {
		case k < 200: // invalid user, password guessed
			u := pick(r, guessedUsers)
			if chance(r, 0.005) {
				return sshd(t, pid, "Illegal user %s from %s port %d", u, ip, pt)
			}
			t2 := t.Add(jitter(r, 2*time.Second))
			steps := []func() error{
				func() error { return sshd(t, pid, "Invalid user %s from %s port %d", u, ip, pt) },
				func() error { return sshd(t2, pid, "pam_unix(sshd:auth): check pass; user unknown") },
				func() error {
					return sshd(t2, pid, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s", ip)
				},
				func() error {
					return sshd(t2, pid, "Failed password for invalid user %s from %s port %d ssh2", u, ip, pt)
				},
				func() error {
					return sshd(t2, pid, "Received disconnect from %s port %d:11: Bye Bye [preauth]", ip, pt)
				},
				func() error {
					return sshd(t2, pid, "Disconnected from invalid user %s %s port %d [preauth]", u, ip, pt)
				},
			}
			if chance(r, 0.3) { // scanners that give up before the password
				steps = []func() error{steps[0], steps[4], steps[5]}
			}
			for _, s := range steps {
				if err := s(); err != nil {
					return err
				}
			}
			return nil
		case k < 300: // root password guessing, several tries per connection
			tries := 1 + r.IntN(4)
			if err := sshd(t, pid, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root", ip); err != nil {
				return err
			}
			if tries > 1 && chance(r, 0.15) {
				// rsyslog folds identical lines
				if err := sshd(t, pid, "Failed password for root from %s port %d ssh2", ip, pt); err != nil {
					return err
				}
				if err := sshd(t.Add(3*time.Second), pid, "message repeated %d times: [ Failed password for root from %s port %d ssh2]", tries-1, ip, pt); err != nil {
					return err
				}
			} else {
				for i := 0; i < tries; i++ {
					if err := sshd(t.Add(time.Duration(i)*2*time.Second), pid, "Failed password for root from %s port %d ssh2", ip, pt); err != nil {
						return err
					}
				}
			}
			if tries == 4 && chance(r, 0.5) {
				if err := sshd(t.Add(12*time.Second), pid, "error: maximum authentication attempts exceeded for root from %s port %d ssh2 [preauth]", ip, pt); err != nil {
					return err
				}
				if err := sshd(t.Add(12*time.Second), pid, "Disconnecting authenticating user root %s port %d: Too many authentication failures [preauth]", ip, pt); err != nil {
					return err
				}
				return sshd(t.Add(12*time.Second), pid, "PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root", ip)
			}
			return sshd(t.Add(time.Duration(tries)*2*time.Second), pid, "Connection closed by authenticating user root %s port %d [preauth]", ip, pt)
		case k < 420: // a staff login with a key
			u, cip := pick(r, users), pick(r, p.clients)
			if err := sshd(t, pid, "Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s", u, cip, pt, hexString(r, 43)); err != nil {
				return err
			}
			if err := sshd(t, pid, "pam_unix(sshd:session): session opened for user %s(uid=%d) by %s(uid=0)", u, 1000+len(u), u); err != nil {
				return err
			}
			prefix(t, "systemd-logind", 612)
			lw.buf = fmt.Appendf(lw.buf, "New session %d of user %s.", pid%9000, u)
			if err := lw.line(); err != nil {
				return err
			}
			if chance(r, 0.3) {
				prefix(t.Add(time.Minute), "sudo", 0)
				lw.buf = fmt.Appendf(lw.buf, "  %s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", u, u)
				if err := lw.line(); err != nil {
					return err
				}
			}
			end := t.Add(time.Duration(5+r.IntN(3600)) * time.Second)
			if err := sshd(end, pid, "Received disconnect from %s port %d:11: disconnected by user", cip, pt); err != nil {
				return err
			}
			if err := sshd(end, pid, "Disconnected from user %s %s port %d", u, cip, pt); err != nil {
				return err
			}
			return sshd(end, pid, "pam_unix(sshd:session): session closed for user %s", u)
		case k < 435: // keyboard-interactive after a key (2FA)
			u, cip := pick(r, users), pick(r, p.clients)
			if err := sshd(t, pid, "Partial publickey for %s from %s port %d ssh2: ED25519 SHA256:%s", u, cip, pt, hexString(r, 43)); err != nil {
				return err
			}
			if chance(r, 0.1) {
				if err := sshd(t.Add(20*time.Second), pid, "Failed keyboard-interactive/pam for %s from %s port %d ssh2", u, cip, pt); err != nil {
					return err
				}
			}
			return sshd(t.Add(25*time.Second), pid, "Accepted keyboard-interactive/pam for %s from %s port %d ssh2", u, cip, pt)
		case k < 445: // a staff key that is not the right one
			u, cip := pick(r, users), pick(r, p.clients)
			return sshd(t, pid, "Failed publickey for %s from %s port %d ssh2: RSA SHA256:%s", u, cip, pt, hexString(r, 43))
		case k < 860: // cron
			cpid := pid + 1
			prefix(t, "CRON", cpid)
			lw.buf = append(lw.buf, "pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)"...)
			if err := lw.line(); err != nil {
				return err
			}
			prefix(t.Add(time.Duration(1+r.IntN(30))*time.Second), "CRON", cpid)
			lw.buf = append(lw.buf, "pam_unix(cron:session): session closed for user root"...)
			return lw.line()
		case k < 960: // scanners and broken clients
			switch r.IntN(4) {
			case 0:
				return sshd(t, pid, "Connection closed by %s port %d [preauth]", ip, pt)
			case 1:
				return sshd(t, pid, "banner exchange: Connection from %s port %d: invalid format", ip, pt)
			case 2:
				return sshd(t, pid, "%s", pick(r, sshKexErrors))
			default:
				return sshd(t, pid, "Unable to negotiate with %s port %d: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1,diffie-hellman-group14-sha1 [preauth]", ip, pt)
			}
		case k < 985:
			return sshd(t, pid, "Connection reset by %s port %d [preauth]", ip, pt)
		default: // a daemon restart now and then
			if err := sshd(t, 809, "Received signal 15; terminating."); err != nil {
				return err
			}
			if err := sshd(t.Add(2*time.Second), 809, "Server listening on 0.0.0.0 port 22."); err != nil {
				return err
			}
			return sshd(t.Add(2*time.Second), 809, "Server listening on :: port 22.")
		}
	})
}

// ---------------------------------------------------------------------------
// nginx access log: combined + $ssl_protocol on the TLS servers, plain
// combined on port 80.

var (
	userAgents = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.1 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:144.0) Gecko/20100101 Firefox/144.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 19_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.1 Mobile/15E148 Safari/604.1",
		"Go-http-client/2.0", "python-requests/2.32.5", "lvctl/3.4.1 (linux; amd64)",
	}
	scannerAgents = []string{"Mozilla/5.0 zgrab/0.x", "curl/8.5.0", "python-requests/2.25.1", "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))", "-"}
	probePaths    = []string{"/.env", "/wp-login.php", "/.git/config", "/phpmyadmin/", "/admin/", "/cgi-bin/luci/;stok=/locale",
		"/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/.aws/credentials", "/server-status", "/actuator/env", "/xmlrpc.php"}
	referers = []string{"-", "-", "https://app.localizevideos.example/app/projects", "https://localizevideos.example/", "https://www.google.com/"}
)

func (g *gen) accessLogs() error {
	return g.accessLog(g.budget(accessLogBytes), []segment{
		{path: "data/logs/edge/access.log.2.gz", frac: 0.3, gz: true},
		{path: "data/logs/edge/access.log.1", frac: 0.35},
		{path: "data/logs/edge/access.log", frac: 0.35},
	})
}

func (g *gen) accessLog(budget int64, segs []segment) error {
	r := g.events("access")
	lw, err := newLogWriter(g.dir, budget, segs)
	if err != nil {
		return err
	}
	g.logBytes += budget
	scale := g.scale
	if len(segs) == 1 {
		scale = int(budget/(10*mb)) + 1
	}
	p := newPools(g.rng("access/pools"), 300*scale, 2000*scale)
	req := func(t time.Time, ip, method, path, proto string, status, size int, ref, ua, ssl string) error {
		b := append(lw.buf, ip...)
		b = append(b, " - - ["...)
		b = clamp(t).In(berlin).AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
		b = append(b, "] \""...)
		b = append(b, method...)
		b = append(b, ' ')
		b = append(b, path...)
		b = append(b, ' ')
		b = append(b, proto...)
		b = append(b, "\" "...)
		b = strconv.AppendInt(b, int64(status), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(size), 10)
		b = append(b, " \""...)
		b = append(b, ref...)
		b = append(b, "\" \""...)
		b = append(b, ua...)
		b = append(b, '"')
		if ssl != "" {
			b = append(b, ' ')
			b = append(b, ssl...)
		}
		lw.buf = b
		return lw.line()
	}
	appPath := func() (string, string, int) {
		switch k := r.IntN(100); {
		case k < 25:
			return "GET", "/static/js/app.4f1c2e9a.js", 412000
		case k < 35:
			return "GET", "/static/css/main.9b2d.css", 48211
		case k < 55:
			return "GET", "/api/v1/projects/" + strconv.Itoa(10000+r.IntN(5000)), 1200 + r.IntN(4000)
		case k < 65:
			return "POST", "/api/v1/jobs", 156
		case k < 72:
			return "PUT", "/api/v1/uploads/" + hexString(r, 8) + "-" + hexString(r, 4) + "-" + hexString(r, 4) + "-" + hexString(r, 12), 156
		case k < 82:
			return "GET", "/api/v1/subtitles/" + strconv.Itoa(r.IntN(90000)) + ".vtt", 8000 + r.IntN(60000)
		case k < 88:
			return "GET", "/app/projects", 5120
		case k < 93:
			return "POST", "/session", 312
		case k < 97:
			return "GET", "/", 18233
		default:
			return "GET", "/robots.txt", 67
		}
	}
	tlsProto := func() string {
		switch k := r.IntN(1000); {
		case k < 770:
			return "TLSv1.3"
		case k < 998:
			return "TLSv1.2"
		case k < 999:
			return "TLSv1.1"
		default:
			return "TLSv1"
		}
	}
	return drive(r, lw, func(t time.Time) error {
		switch k := r.IntN(1000); {
		case k < 900: // ordinary traffic: a client loads a few resources
			ip, ua, ref := pick(r, p.clients), pick(r, userAgents), pick(r, referers)
			ssl := tlsProto()
			for i, n := 0, 1+r.IntN(4); i < n; i++ {
				m, path, size := appPath()
				status := 200
				switch s := r.IntN(1000); {
				case s < 40:
					status, size = 304, 0
				case s < 60:
					status, size = 302, 154
				case s < 85:
					status, size = 404, 153
				case s < 95:
					status, size = 401, 72
				case s < 100:
					status, size = 403, 72 // an expired share link
				case s < 105:
					status, size = 502+r.IntN(3), 552
				case s < 109:
					status, size = 499, 0
				}
				if err := req(t.Add(time.Duration(i)*300*time.Millisecond), ip, m, path, "HTTP/2.0", status, size, ref, ua, ssl); err != nil {
					return err
				}
			}
			return nil
		case k < 960: // kubelet probes on the plain port
			return req(t, "10.40.0."+strconv.Itoa(2+r.IntN(3)), "GET", "/healthz", "HTTP/1.1", 200, 2, "-", "kube-probe/1.34", "")
		case k < 980: // a scanner walks the usual paths
			ip, ua := skewed(r, p.attackers), pick(r, scannerAgents)
			ssl := "TLSv1.2"
			if chance(r, 0.05) {
				ssl = pick(r, []string{"TLSv1", "TLSv1.1"})
			}
			for i, n := 0, 3+r.IntN(10); i < n; i++ {
				status := 404
				if chance(r, 0.25) {
					status = 403
				} else if chance(r, 0.05) {
					status = 400
				}
				if err := req(t.Add(time.Duration(i)*time.Second), ip, "GET", pick(r, probePaths), "HTTP/1.1", status, 153, "-", ua, ssl); err != nil {
					return err
				}
			}
			return nil
		case k < 992: // API clients hitting projects they may not see
			ip := pick(r, p.clients)
			for i, n := 0, 1+r.IntN(3); i < n; i++ {
				if err := req(t.Add(time.Duration(i)*time.Second), ip, "GET", "/api/v1/projects/"+strconv.Itoa(10000+r.IntN(5000)), "HTTP/2.0", 403, 72, "-", "Go-http-client/2.0", "TLSv1.2"); err != nil {
					return err
				}
			}
			return nil
		case k < 997: // a pipeline bursts past the rate limit
			ip := pick(r, p.clients[:len(p.clients)/20+1])
			for i, n := 0, 5+r.IntN(11); i < n; i++ {
				status, size := 429, 162
				if i < 3 {
					status, size = 201, 156
				}
				if err := req(t.Add(time.Duration(i)*150*time.Millisecond), ip, "POST", "/api/v1/jobs", "HTTP/2.0", status, size, "-", "python-requests/2.32.5", "TLSv1.3"); err != nil {
					return err
				}
			}
			return nil
		default: // old smart TVs on the legacy player endpoint
			ip := pick(r, p.clients)
			ssl := pick(r, []string{"TLSv1", "TLSv1.1", "TLSv1.2"})
			for i, n := 0, 1+r.IntN(4); i < n; i++ {
				if err := req(t.Add(time.Duration(i)*time.Second), ip, "GET", "/tv/manifest/"+strconv.Itoa(r.IntN(9000))+".m3u8", "HTTP/1.1", 200, 2210, "-", "Mozilla/5.0 (SMART-TV; Linux; Tizen 4.0) AppleWebKit/538.1 (KHTML, like Gecko) Version/4.0 TV Safari/538.1", ssl); err != nil {
					return err
				}
			}
			return nil
		}
	})
}

// ---------------------------------------------------------------------------
// nginx error log (Berlin local time, no zone in the stamp).

func (g *gen) errorLogs() error {
	r := g.events("error")
	lw, err := newLogWriter(g.dir, g.budget(errorLogBytes), []segment{
		{path: "data/logs/edge/error.log.1", frac: 0.6},
		{path: "data/logs/edge/error.log"},
	})
	if err != nil {
		return err
	}
	g.logBytes += lw.budget
	p := newPools(g.rng("error/pools"), 300*g.scale, 2000*g.scale)
	conn := 880000 + r.IntN(10000)
	head := func(t time.Time, level string) {
		lw.buf = clamp(t).In(berlin).AppendFormat(lw.buf, "2006/01/02 15:04:05")
		lw.buf = append(lw.buf, " ["...)
		lw.buf = append(lw.buf, level...)
		lw.buf = append(lw.buf, "] 2211#2211: *"...)
		lw.buf = strconv.AppendInt(lw.buf, int64(conn), 10)
		lw.buf = append(lw.buf, ' ')
	}
	return drive(r, lw, func(t time.Time) error {
		conn += 1 + r.IntN(400)
		ip := pick(r, p.clients)
		zone, server, request := "api", "api.localizevideos.example", "POST /api/v1/jobs HTTP/2.0"
		if chance(r, 0.3) {
			zone, server, request = "login", "app.localizevideos.example", "POST /session HTTP/2.0"
		}
		switch k := r.IntN(1000); {
		case k < 150:
			head(t, "error")
			lw.buf = fmt.Appendf(lw.buf, "limiting requests, excess: %d.%03d by zone %q, client: %s, server: %s, request: %q, host: %q",
				5+r.IntN(20), r.IntN(1000), zone, ip, server, request, server)
		case k < 350:
			head(t, "warn")
			lw.buf = fmt.Appendf(lw.buf, "delaying request, excess: 0.%03d, by zone %q, client: %s, server: %s, request: %q, host: %q",
				r.IntN(1000), zone, ip, server, request, server)
		case k < 400:
			head(t, "error")
			lw.buf = fmt.Appendf(lw.buf, "limiting requests, dry run, excess: %d.%03d by zone \"signup\", client: %s, server: app.localizevideos.example, request: \"POST /signup HTTP/2.0\", host: \"app.localizevideos.example\"",
				1+r.IntN(10), r.IntN(1000), ip)
		case k < 450:
			head(t, "info")
			reason := "error:0A000102:SSL routines::unsupported protocol"
			switch q := r.IntN(100); {
			case q < 25:
				reason = "error:0A00010B:SSL routines::version too low"
			case q < 40:
				reason = "error:0A000175:SSL routines::inappropriate fallback"
			}
			lw.buf = fmt.Appendf(lw.buf, "SSL_do_handshake() failed (SSL: %s) while SSL handshaking, client: %s, server: 0.0.0.0:443", reason, skewed(r, p.attackers))
		case k < 500:
			head(t, "info")
			reason := pick(r, []string{"error:0A00010B:SSL routines::wrong version number", "error:0A00006C:SSL routines::bad key share",
				"error:0A000126:SSL routines::unexpected eof while reading", "error:0A000418:SSL routines::tlsv1 alert unknown ca"})
			lw.buf = fmt.Appendf(lw.buf, "SSL_do_handshake() failed (SSL: %s) while SSL handshaking, client: %s, server: 0.0.0.0:443", reason, skewed(r, p.attackers))
		case k < 700:
			head(t, "error")
			lw.buf = fmt.Appendf(lw.buf, "upstream timed out (110: Connection timed out) while reading response header from upstream, client: %s, server: %s, request: %q, upstream: \"http://10.40.2.%d:8080/api/v1/jobs\", host: %q",
				ip, server, request, 10+r.IntN(40), server)
		case k < 850:
			head(t, "error")
			lw.buf = fmt.Appendf(lw.buf, "access forbidden by rule, client: %s, server: app.localizevideos.example, request: \"GET %s HTTP/1.1\", host: \"app.localizevideos.example\"",
				skewed(r, p.attackers), pick(r, probePaths))
		default:
			head(t, "error")
			lw.buf = fmt.Appendf(lw.buf, "open() \"/usr/share/nginx/html%s\" failed (2: No such file or directory), client: %s, server: localizevideos.example, request: \"GET %s HTTP/1.1\", host: \"localizevideos.example\"",
				"/favicon.png", skewed(r, p.attackers), "/favicon.png")
		}
		return lw.line()
	})
}

// ---------------------------------------------------------------------------
// Application security events (OWASP Logging Vocabulary, JSON Lines).

var customers = []string{"filmhaus.example", "alpenfilm.example", "studio-nord.example", "doublage-paris.example",
	"anime-loc.example", "subtitle-factory.example", "nordic-dub.example", "iberia-voice.example"}

func (g *gen) appLogs() error {
	for _, f := range []struct {
		name, path, app, layout, host string
		share                         float64
	}{
		{"api", "data/logs/app/api-security.jsonl", "localizevideos.api", "2006-01-02T15:04:05.000Z07:00", "api-7d9f8c6b5-q9w2t", 0.4},
		{"web", "data/logs/app/web-auth.jsonl", "localizevideos.web", "2006-01-02 15:04:05,000", "web-5c8d7f9b8-h7j2k", 0.6},
	} {
		if err := g.appLog(f.name, f.path, f.app, f.layout, f.host, int64(f.share*float64(g.budget(appLogBytes)))); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) appLog(name, path, app, layout, host string, budget int64) error {
	r := g.events("app/" + name)
	lw, err := newLogWriter(g.dir, budget, []segment{{path: path}})
	if err != nil {
		return err
	}
	g.logBytes += budget
	p := newPools(g.rng("app/pools/"+name), 300*g.scale, 2000*g.scale)
	users := make([]string, 0, 300*g.scale)
	for i := 0; i < cap(users); i++ {
		users = append(users, firstNames[i%len(firstNames)][:1]+"."+lastNames[(i/3)%len(lastNames)]+strconv.Itoa(i/100)+"@"+customers[i%len(customers)])
	}
	event := func(t time.Time, ev, level, desc, ip, uri, method string) error {
		b := append(lw.buf, `{"datetime":"`...)
		b = clamp(t).UTC().AppendFormat(b, layout)
		b = append(b, `","appid":"`...)
		b = append(b, app...)
		b = append(b, `","event":"`...)
		b = append(b, ev...)
		b = append(b, `","level":"`...)
		b = append(b, level...)
		b = append(b, `","description":"`...)
		b = append(b, desc...)
		b = append(b, `","useragent":"`...)
		b = append(b, pick(r, userAgents)...)
		b = append(b, `","source_ip":"`...)
		b = append(b, ip...)
		b = append(b, `","host_ip":"10.40.`...)
		b = strconv.AppendInt(b, int64(1+r.IntN(3)), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(10+r.IntN(50)), 10)
		b = append(b, `","hostname":"`...)
		b = append(b, host...)
		b = append(b, `","protocol":"https","port":"443","request_uri":"`...)
		b = append(b, uri...)
		b = append(b, `","request_method":"`...)
		b = append(b, method...)
		b = append(b, `","region":"eu-central-1","geo":"DE"}`...)
		lw.buf = b
		return lw.line()
	}
	return drive(r, lw, func(t time.Time) error {
		u, ip := pick(r, users), pick(r, p.clients)
		switch k := r.IntN(1000); {
		case k < 420: // login
			if err := event(t, "authn_login_success:"+u, "INFO", "User "+u+" login successfully", ip, "/session", "POST"); err != nil {
				return err
			}
			return event(t, "session_created:"+u, "INFO", "User "+u+" has started a new session", ip, "/session", "POST")
		case k < 560: // typo, then success
			if err := event(t, "authn_login_fail:"+u, "WARN", "User "+u+" login failed", ip, "/session", "POST"); err != nil {
				return err
			}
			return event(t.Add(8*time.Second), "authn_login_successafterfail:"+u+",1", "INFO", "User "+u+" login successfully", ip, "/session", "POST")
		case k < 660: // credential stuffing
			ip = skewed(r, p.attackers)
			n := 1 + r.IntN(6)
			for i := 0; i < n; i++ {
				if err := event(t.Add(time.Duration(i)*time.Second), "authn_login_fail:"+u, "WARN", "User "+u+" login failed", ip, "/session", "POST"); err != nil {
					return err
				}
			}
			if n >= 5 {
				if err := event(t.Add(6*time.Second), "authn_login_fail_max:"+u+",5", "WARN", "User "+u+" reached the login fail limit of 5", ip, "/session", "POST"); err != nil {
					return err
				}
				return event(t.Add(6*time.Second), "authn_login_lock:"+u+",maxretries", "WARN", "User "+u+" login locked because maxretries exceeded", ip, "/session", "POST")
			}
			return nil
		case k < 760:
			return event(t, "authz_fail:"+u+",project:"+strconv.Itoa(10000+r.IntN(5000)), "CRITICAL", "User "+u+" attempted to access a resource without entitlement", ip, "/api/v1/projects", "GET")
		case k < 860:
			return event(t, "excess_rate_limit_exceeded:"+u+",1000", "WARN", "User "+u+" has exceeded max:1000 requests per hour", ip, "/api/v1/jobs", "POST")
		case k < 920:
			return event(t, "session_expired:"+u+",logout", "INFO", "User "+u+" session expired", ip, "/app/projects", "GET")
		case k < 960:
			return event(t, "authn_password_change:"+u, "INFO", "User "+u+" has successfully changed their password", ip, "/account/password", "POST")
		default:
			return event(t, "input_validation_fail:(project_title),"+u, "WARN", "User "+u+" submitted data that failed validation", ip, "/api/v1/projects", "POST")
		}
	})
}

// ---------------------------------------------------------------------------
// fail2ban's own log (UTC).

func (g *gen) fail2banLogs() error {
	r := g.events("fail2ban")
	lw, err := newLogWriter(g.dir, g.budget(fail2banLogBytes), []segment{
		{path: "data/logs/bastion/fail2ban.log.1", frac: 0.6},
		{path: "data/logs/bastion/fail2ban.log"},
	})
	if err != nil {
		return err
	}
	g.logBytes += lw.budget
	p := newPools(g.rng("fail2ban/pools"), 300*g.scale, 0)
	const pid = "[47660]"
	rec := func(t time.Time, logger, level, msg string) error {
		b := clamp(t).UTC().AppendFormat(lw.buf, "2006-01-02 15:04:05,000")
		b = append(b, ' ')
		b = fmt.Appendf(b, "%-24s%s: %-7s %s", logger, pid, level, msg)
		lw.buf = b
		return lw.line()
	}
	banned := []string{}
	return drive(r, lw, func(t time.Time) error {
		switch k := r.IntN(1000); {
		case k < 985: // an attacker trips the sshd jail
			ip := skewed(r, p.attackers)
			n := 1 + r.IntN(5)
			for i := 0; i < n; i++ {
				ts := t.Add(time.Duration(i*11) * time.Second)
				if err := rec(ts, "fail2ban.filter", "INFO", "[sshd] Found "+ip+" - "+clamp(ts).UTC().Format("2006-01-02 15:04:05")); err != nil {
					return err
				}
			}
			if n < 5 {
				return nil
			}
			if chance(r, 0.08) {
				return rec(t.Add(50*time.Second), "fail2ban.actions", "NOTICE", "[sshd] "+ip+" already banned")
			}
			if err := rec(t.Add(50*time.Second), "fail2ban.actions", "NOTICE", "[sshd] Ban "+ip); err != nil {
				return err
			}
			banned = append(banned, ip)
			if len(banned) > 40 {
				banned = banned[1:]
			}
			if chance(r, 0.1) {
				if err := rec(t.Add(51*time.Second), "fail2ban.actions", "NOTICE", "[recidive] Ban "+ip); err != nil {
					return err
				}
			}
			return rec(t.Add(650*time.Second), "fail2ban.actions", "NOTICE", "[sshd] Unban "+ip)
		default: // a restart re-applies the bans still running
			if err := rec(t, "fail2ban.server", "INFO", "Shutdown in progress..."); err != nil {
				return err
			}
			if err := rec(t.Add(time.Second), "fail2ban.server", "INFO", "Starting Fail2ban v1.1.0"); err != nil {
				return err
			}
			if err := rec(t.Add(2*time.Second), "fail2ban.jail", "INFO", "Jail 'sshd' started"); err != nil {
				return err
			}
			for _, ip := range banned[max(0, len(banned)-10):] {
				if err := rec(t.Add(3*time.Second), "fail2ban.actions", "NOTICE", "[sshd] Restore Ban "+ip); err != nil {
					return err
				}
			}
			return nil
		}
	})
}
