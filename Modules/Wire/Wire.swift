// Wire: HTTP/1.1 and WebSocket codecs.
