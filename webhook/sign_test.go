package webhook_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tenfour-cad/tenfour/webhook"
)

// TestSignVector checks Sign against the example of the Standard Webhooks
// specification ("Signature Scheme"), computed from the spec alone.
func TestSignVector(t *testing.T) {
	key, err := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := webhook.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("Sign(spec example) = %s, want %s", got, want)
	}
}

// TestSignReference checks that the spec's reference Go library accepts
// every signature Sign makes, with the secret in the form EncodeSecret
// writes, and refuses each when the body, id, timestamp or key differ.
func TestSignReference(t *testing.T) {
	at := time.Now()
	bodies := [][]byte{[]byte(`{}`), []byte(`{"seq":7,"type":"incident.created","data":{"x":"é\u2028"}}`), bytes.Repeat([]byte("a"), 70000), {0, 0xff}}
	for i, body := range bodies {
		key, err := webhook.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		secret := webhook.EncodeSecret(key)
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("EncodeSecret = %q, want whsec_…", secret)
		}
		ref, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatalf("standardwebhooks.NewWebhook(%q) = %v", secret, err)
		}
		id := webhook.MessageID("wh_0123456789abcdef", int64(i))
		header := func(id string, at time.Time, sig string) http.Header {
			h := http.Header{}
			h.Set(webhook.HeaderID, id)
			h.Set(webhook.HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
			h.Set(webhook.HeaderSignature, sig)
			return h
		}
		sig := webhook.Sign(key, id, at, body)
		if err := ref.Verify(body, header(id, at, sig)); err != nil {
			t.Errorf("body %d: reference Verify = %v, want nil", i, err)
		}
		tampered := append(bytes.Clone(body), ' ')
		if err := ref.Verify(tampered, header(id, at, sig)); err == nil {
			t.Errorf("body %d: reference Verify of another body = nil, want an error", i)
		}
		if err := ref.Verify(body, header(id+"x", at, sig)); err == nil {
			t.Errorf("body %d: reference Verify under another id = nil, want an error", i)
		}
		if err := ref.Verify(body, header(id, at.Add(time.Second), sig)); err == nil {
			t.Errorf("body %d: reference Verify at another time = nil, want an error", i)
		}
		other, _ := webhook.NewSecret()
		if err := ref.Verify(body, header(id, at, webhook.Sign(other, id, at, body))); err == nil {
			t.Errorf("body %d: reference Verify of another key's signature = nil, want an error", i)
		}
	}
}

func TestMessageID(t *testing.T) {
	if a, b := webhook.MessageID("wh_1", 12), webhook.MessageID("wh_1", 12); a != b || a != "msg_wh_1_12" {
		t.Errorf("MessageID(wh_1, 12) = %q, %q, want msg_wh_1_12 twice", a, b)
	}
	if webhook.MessageID("wh_1", 12) == webhook.MessageID("wh_2", 12) || webhook.MessageID("wh_1", 1) == webhook.MessageID("wh_1", 12) {
		t.Error("MessageID is the same for different subscriptions or events")
	}
}
