package dev.motflow.jobs.model;

/** Video container formats motflow accepts, recognised from their first bytes. */
public enum Container {
    MP4("video/mp4"),
    MATROSKA("video/x-matroska"),
    AVI("video/x-msvideo");

    private final String mediaType;

    Container(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }
}
