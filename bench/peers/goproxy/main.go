// The goproxy peer (the library under Coder's own AI proxy): MITM every CONNECT and send the
// decrypted request to the bench backend over plain HTTP; tunnel hosts given in -tunnel.
package main

import (
	"crypto/tls"
	"flag"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/elazarl/goproxy"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	backend := flag.String("backend", "", "backend host:port")
	caCert := flag.String("ca-cert", "", "CA certificate PEM")
	caKey := flag.String("ca-key", "", "CA key PEM")
	tunnel := flag.String("tunnel", "", "comma-separated host:port to tunnel instead of MITM")
	flag.Parse()
	certPEM, err := os.ReadFile(*caCert)
	if err != nil {
		log.Fatal(err)
	}
	keyPEM, err := os.ReadFile(*caKey)
	if err != nil {
		log.Fatal(err)
	}
	ca, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		log.Fatal(err)
	}
	tunnels := map[string]bool{}
	for _, h := range strings.Split(*tunnel, ",") {
		if h != "" {
			tunnels[h] = true
		}
	}
	mitm := &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: goproxy.TLSConfigFromCA(&ca)}
	p := goproxy.NewProxyHttpServer()
	p.Tr = &http.Transport{MaxIdleConnsPerHost: 256}
	p.OnRequest().HandleConnectFunc(func(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		if tunnels[host] {
			return goproxy.OkConnect, host
		}
		return mitm, host
	})
	p.OnRequest().DoFunc(func(r *http.Request, ctx *goproxy.ProxyCtx) (*http.Request, *http.Response) {
		if r.URL.Scheme == "https" {
			r.URL.Scheme = "http"
			r.URL.Host = *backend
		}
		return r, nil
	})
	log.Fatal(http.ListenAndServe(*addr, p))
}
