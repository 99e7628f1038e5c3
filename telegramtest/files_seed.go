package telegramtest

// Files a test needs Telegram to hold without a user sending them: the
// works of an application seeded straight into storage, say.

// File kinds for SeedFile.
const (
	FilePhoto    = "photo"
	FileDocument = "document"
	FileVideo    = "video"
)

// UniqueID is the file's file_unique_id.
func (f *File) UniqueID() string { return f.uniqueID }

// SeedFile stores a file of kind (FilePhoto, FileDocument or FileVideo;
// anything else is a document) as if a user had sent it, without a
// message or an update: getFile and the file URL serve content, and the
// bot may send it again by its ID. name and mimeType may be empty (a
// photo is "photo.jpg", image/jpeg). The returned File is shared and must
// not be modified.
func (s *Server) SeedFile(kind, name, mimeType string, content []byte) *File {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch kind {
	case FilePhoto:
		if name == "" {
			name = "photo.jpg"
		}
		return s.storeFileLocked(name, "image/jpeg", content, true)
	case FileVideo:
		return s.storeVideoLocked(name, mimeType, content)
	}
	return s.storeFileLocked(name, mimeType, content, false)
}
