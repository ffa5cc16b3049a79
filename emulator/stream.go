package emulator

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Streaming. A page of a collection is chosen inside one store read, but written after
// it, item by item, as the client takes it: the server holds the page's members (stored
// bodies, which are never mutated and need no copy) and a buffer of about one entity,
// whatever the page size. An item that reads more of the store to be written (its
// $expand, what the behaviour presents from the store, such as a drive's quota) is
// written inside a short read of its own, so that no lock is held while the client
// reads.

// streamChunk is how many bytes are gathered before they are written out: small items
// go out in chunks, a large one alone.
const streamChunk = 32 << 10

// pageStream is a collection page to write: its annotations and its members, each
// written as tmpl says (an item of a type derived from the set's is told apart as it
// is written: pageItem).
type pageStream struct {
	head    odata.CollectionHead
	members []member
	// setType is the qualified name of the set's declared type; typeAll asks for
	// @odata.type on every item.
	setType string
	typeAll bool
	tmpl    item
	// derived is the last derived type met and how its items are written.
	derived     string
	derivedType *entities.StructuredType
	derivedEtag bool
	derivedProj *odata.Projection
}

// pageItem returns how the page's member m is written.
func (s *Server) pageItem(rq *request, page *pageStream, m member) item {
	it := page.tmpl
	it.m = m
	if m.e.Type == page.setType {
		if page.typeAll {
			it.typeName = m.e.Type
		}
		return it
	}
	it.typeName = m.e.Type
	if m.e.Type != page.derived {
		page.derived = m.e.Type
		page.derivedType = rq.schema.EntityType(m.e.Type)
		page.derivedEtag = s.behavior.ETags(rq.schema, page.derivedType)
		page.derivedProj = nil
		if it.sel == nil {
			page.derivedProj = s.behavior.Projection(rq.version, page.derivedType)
		}
	}
	it.typ, it.etag, it.proj = page.derivedType, page.derivedEtag, page.derivedProj
	return it
}

// writePage writes a page. Once the status is written an error can no longer be
// answered: a failure then (a client gone, an item that cannot be written) ends the
// response, which the client sees cut short.
func (s *Server) writePage(w http.ResponseWriter, rq *request, status int, page *pageStream) {
	cw := odata.BeginCollection((*rq.buf)[:0], page.head)
	// The buffer goes back to the pool with the room it grew to (release).
	defer func() { *rq.buf = cw.Pending()[:0] }()
	rq.itemBuf = s.getBuf()
	defer func() { s.putBuf(rq.itemBuf); rq.itemBuf = nil }()
	h := w.Header()
	h["Content-Type"] = jsonContentType
	wroteHeader := false
	flush := func(force bool) bool {
		if !force && len(cw.Pending()) < streamChunk {
			return true
		}
		if !wroteHeader {
			s.pageApplied(h, rq)
			w.WriteHeader(status)
			wroteHeader = true
		}
		_, err := w.Write(cw.Pending())
		cw.Drop()
		return err == nil
	}
	presentsType, presents := "", false // whether items of the last type met read the store
	for i := range page.members {
		it := s.pageItem(rq, page, page.members[i])
		if t := it.m.e.Type; t != presentsType || presentsType == "" {
			presentsType, presents = t, s.presentsFromView(rq, it.m.e)
		}
		var err error
		inRead := len(it.expand) > 0 || presents
		if inRead {
			err = s.appendItemInRead(rq, &cw, it)
		} else {
			err = cw.AddFunc(func(dst []byte) ([]byte, error) { return s.appendItem(rq, nil, dst, &it) })
		}
		if err == nil && (inRead || i%16 == 15) {
			// A client that has gone is seen after an item that read the store, else
			// every few items (and by the writes).
			err = rq.r.Context().Err()
		}
		if err != nil {
			s.abortPage(w, rq, wroteHeader, err)
			return
		}
		if !flush(false) {
			return // the client is gone
		}
		page.members[i] = member{} // the members are not needed once written
	}
	body := cw.Finish()
	if !wroteHeader {
		// The whole page fits in one chunk: it goes out with its length.
		s.pageApplied(h, rq)
		s.writeBody(w, status, body)
		return
	}
	_, _ = w.Write(body)
}

// appendItemInRead adds it to cw inside a short read of the store, for an item whose
// writing reads the store (its $expand, what the behaviour presents).
func (s *Server) appendItemInRead(rq *request, cw *odata.CollectionWriter, it item) error {
	return s.store.Read(rq.tenant(), func(v store.View) error {
		rq.view = v
		defer func() { rq.view = nil }()
		return cw.AddFunc(func(dst []byte) ([]byte, error) { return s.appendItem(rq, v, dst, &it) })
	})
}

// pageApplied sets Preference-Applied for what the behaviour applied while writing the
// page's items (outlook.body-content-type), as the header goes out: the items written
// so far tell (serveResource sets it for answers made before they are written).
func (s *Server) pageApplied(h http.Header, rq *request) {
	if _, set := h["Preference-Applied"]; set || !rq.hasRd {
		return
	}
	if a := rq.rd.Applied(); a != "" {
		h["Preference-Applied"] = []string{a}
	}
}

// presentsFromView reports whether writing e asks the behaviour, which may read the
// store (see present, and computed values such as a mail folder's counts).
func (s *Server) presentsFromView(rq *request, e store.Entity) bool {
	return s.behavior.Presents(rq.schema, rq.schema.EntityType(e.Type)) || s.reader(rq).NeedsView(e.Type)
}

// abortPage ends a page that failed to be written: before anything was sent, with the
// error; after, by aborting the response.
func (s *Server) abortPage(w http.ResponseWriter, rq *request, wroteHeader bool, err error) {
	if !wroteHeader {
		if rq.r.Context().Err() != nil {
			err = odata.ErrCancelled()
		}
		s.writeError(w, rq.r, err)
		return
	}
	if rq.r.Context().Err() == nil {
		s.cfg.logger.LogAttrs(context.Background(), slog.LevelError, "collection page cut short",
			slog.String("method", rq.r.Method), slog.String("path", rq.r.URL.RequestURI()), slog.String("error", err.Error()))
	}
	panic(http.ErrAbortHandler)
}
