package bot

import (
	"vmeste/locales"
	"vmeste/storage"
)

// What became of the issued documents' deliveries, on the documents
// screen: how many reached their teachers, how many are on their way,
// and whose did not arrive (the bot is blocked, the teacher left it, or
// was never reachable) — so that the coordinator prints those from the
// archive and hands them over.

// certUndeliveredShown is how many teachers the screen names at most; the
// rest are counted.
const certUndeliveredShown = 15

// certDeliveryLines are the screen's lines about deliveries, none when
// nothing was issued.
func certDeliveryLines(p locales.Printer, deliveries []storage.CertificateDelivery) []string {
	if len(deliveries) == 0 {
		return nil
	}
	var sent, pending int
	var order []int64
	undelivered := map[int64]int{}
	names := map[int64]string{}
	for _, d := range deliveries {
		switch d.State {
		case storage.DeliverySent:
			sent++
		case storage.DeliveryPending:
			pending++
		case storage.DeliveryUndelivered:
			u := d.Certificate.UserID
			if undelivered[u] == 0 {
				order = append(order, u)
				names[u] = d.Certificate.Recipient
				if school := d.Certificate.SchoolShort; school != "" {
					names[u] += " (" + school + ")"
				}
			}
			undelivered[u]++
		}
	}
	failed := 0
	for _, n := range undelivered {
		failed += n
	}
	lines := []string{p.T("review13_cert_delivery", "Sent", sent, "Pending", pending, "Failed", failed)}
	if pending > 0 {
		lines = append(lines, p.T("review13_cert_delivery_later"))
	}
	if len(order) == 0 {
		return lines
	}
	lines = append(lines, "", p.N("review13_cert_undelivered", len(order)))
	for i, u := range order {
		if i == certUndeliveredShown {
			lines = append(lines, p.N("review13_cert_undelivered_more", len(order)-i))
			break
		}
		lines = append(lines, p.T("review13_cert_undelivered_line", "Name", names[u], "N", undelivered[u]))
	}
	return lines
}
