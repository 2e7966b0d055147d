use super::*;
use xep_hashes::Algo;

#[test]
fn metadata_round_trips() {
    let xml = "<file xmlns='urn:xmpp:file:metadata:0'><media-type>image/jpeg</media-type>\
               <name>summit.jpg</name><date>2015-07-26T21:46:00+01:00</date><size>3032449</size>\
               <desc xml:lang='en'>Photo</desc><desc xml:lang='de'>Foto</desc>\
               <width>4096</width><height>2160</height>\
               <hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</hash>\
               <thumbnail xmlns='urn:xmpp:thumbs:1' uri='cid:sha1+ffd7@bob.xmpp.org' media-type='image/png' width='128' height='96'/></file>";
    let f = FileMetadata::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(f.size, Some(3032449));
    assert_eq!(f.descs.len(), 2);
    assert_eq!(f.thumbnails[0].width, Some(128));
    assert_eq!(FileMetadata::from_xml(f.to_xml().as_bytes()).unwrap(), f);
    assert!(
        FileMetadata::from_xml(b"<file xmlns='urn:xmpp:file:metadata:0'><size>big</size></file>")
            .is_err()
    );
    assert!(Thumbnail::from_xml(b"<thumbnail xmlns='urn:xmpp:thumbs:1' width='128'/>").is_err());
    assert!(
        Thumbnail::from_xml(b"<thumbnail xmlns='urn:xmpp:thumbs:1' uri='x' width='70000'/>")
            .is_err()
    );
}

fn file_of(data: &[u8], algos: &[Algo]) -> FileMetadata {
    FileMetadata {
        size: Some(data.len() as u64),
        hashes: algos
            .iter()
            .map(|a| Hash::compute(a.clone(), data).unwrap())
            .collect(),
        ..FileMetadata::default()
    }
}

#[test]
fn received_bytes_are_checked_against_every_hash() {
    let data = b"a file";
    let f = file_of(data, &[Algo::Sha256, Algo::Sha3_256]);
    assert_eq!(verify(&f, data), Ok(()));
    assert_eq!(
        verify(&f, b"a fil3"),
        Err(VerifyError::Mismatch(Algo::Sha256))
    );
    assert_eq!(
        verify(&f, b"longer file"),
        Err(VerifyError::Size {
            announced: 6,
            received: 11
        })
    );
    // No hash, or only hashes this crate cannot compute: not trusted.
    assert_eq!(
        verify(&FileMetadata::default(), data),
        Err(VerifyError::Unverifiable)
    );
    let mut unknown = f.clone();
    unknown.hashes = vec![Hash {
        algo: Algo::Other("id-blake2b256".into()),
        value: xep_element::Base64(vec![1; 32]),
    }];
    assert_eq!(verify(&unknown, data), Err(VerifyError::Unverifiable));
    // A mismatching hash among matching ones is still a mismatch.
    let mut mixed = f.clone();
    mixed
        .hashes
        .push(Hash::compute(Algo::Sha512, b"other").unwrap());
    assert_eq!(
        verify(&mixed, data),
        Err(VerifyError::Mismatch(Algo::Sha512))
    );
}

#[test]
fn announcing_a_source_needs_every_hash_checked() {
    let data = b"a file";
    let f = file_of(data, &[Algo::Sha256]);
    assert_eq!(may_announce(&f, data), Ok(()));
    let mut with_unknown = f.clone();
    with_unknown.hashes.push(Hash {
        algo: Algo::Other("id-blake2b256".into()),
        value: xep_element::Base64(vec![1; 32]),
    });
    // verify accepts it (one computed hash matched), announcing does not.
    assert_eq!(verify(&with_unknown, data), Ok(()));
    assert_eq!(
        may_announce(&with_unknown, data),
        Err(VerifyError::Unverifiable)
    );
    assert_eq!(
        may_announce(&FileMetadata::default(), data),
        Err(VerifyError::Unverifiable)
    );
}

#[test]
fn file_names_are_made_safe() {
    assert_eq!(safe_file_name("summit.jpg").as_deref(), Some("summit.jpg"));
    assert_eq!(
        safe_file_name("/etc/passwd").as_deref(),
        Some("%2Fetc%2Fpasswd")
    );
    assert_eq!(
        safe_file_name("..\\..\\boot.ini").as_deref(),
        Some("..%5C..%5Cboot.ini")
    );
    assert_eq!(safe_file_name("..").as_deref(), Some("%2E%2E"));
    assert_eq!(
        safe_file_name("a\u{0}b\u{7}c%").as_deref(),
        Some("a%00bc%25")
    );
    assert_eq!(safe_file_name("\u{1}"), None);
    assert_eq!(safe_file_name(""), None);
}

fn sharing(disposition: Option<Disposition>, media: Option<&str>) -> FileSharing {
    FileSharing {
        disposition,
        id: None,
        file: FileMetadata {
            media_type: media.map(str::to_owned),
            ..FileMetadata::default()
        },
        sources: None,
    }
}

#[test]
fn disposition_rules_of_section_3_2() {
    let images = |m: &str| m.starts_with("image/");
    assert_eq!(
        display(
            &sharing(Some(Disposition::Attachment), Some("image/png")),
            images
        ),
        Display::Attachment
    );
    assert_eq!(
        display(&sharing(Some(Disposition::Inline), None), images),
        Display::Attachment
    );
    assert_eq!(
        display(
            &sharing(Some(Disposition::Inline), Some("application/octet-stream")),
            images
        ),
        Display::Attachment
    );
    assert_eq!(
        display(
            &sharing(Some(Disposition::Inline), Some("video/mp4")),
            images
        ),
        Display::Inline
    );
    assert_eq!(
        display(&sharing(None, Some("image/png")), images),
        Display::MayInline
    );
    assert_eq!(
        display(&sharing(None, Some("video/mp4")), images),
        Display::Attachment
    );
}

#[test]
fn sharing_with_a_fallback_and_attaching_sources() {
    let url = "https://download.montague.example/summit.jpg";
    let mut s = sharing(Some(Disposition::Inline), Some("image/jpeg"));
    s.id = Some("share-1".into());
    s.sources = Some(Sources {
        id: None,
        urls: vec![UrlData::new(url)],
        others: Vec::new(),
    });
    let m = share(
        "juliet@capulet.example".parse().unwrap(),
        MessageType::Chat,
        s.clone(),
        Some(url),
    );
    assert_eq!(m.body(None), Some(url));
    // A client that understands SFS shows no body; one that does not shows the URL.
    assert_eq!(
        xep_message::body_without_fallback(&m, NS_SFS, None).unwrap(),
        None
    );
    assert_eq!(xep_oob::urls(&m)[0].as_ref().unwrap().url, url);
    let back = Message::from_xml(m.to_xml().as_bytes()).unwrap();
    assert_eq!(back.payload::<FileSharing>().unwrap().unwrap(), s);

    let a = attach_sources(
        "juliet@capulet.example".parse().unwrap(),
        "msg-1",
        Sources {
            id: Some("share-1".into()),
            urls: vec![UrlData::new("https://mirror.example/summit.jpg")],
            others: Vec::new(),
        },
    );
    assert_eq!(a.payload::<AttachTo>().unwrap().unwrap().id, "msg-1");
    assert!(a.body(None).is_none());
    assert!(FileSharing::from_xml(b"<file-sharing xmlns='urn:xmpp:sfs:0'/>").is_err());
}

/// A XEP-0385 sharing of our own: a photo, its hash, two sources.
fn sims_xml(hash: &str) -> String {
    format!(
        "<media-sharing xmlns='urn:xmpp:sims:1'>\
         <file xmlns='urn:xmpp:jingle:apps:file-transfer:5'><media-type>image/jpeg</media-type>\
         <name>bridge.jpg</name><desc>The old bridge at dusk.</desc><size>11</size>\
         <hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>{hash}</hash></file>\
         <sources><reference xmlns='urn:xmpp:reference:0' type='data' uri='https://files.example.org/a1/bridge.jpg'/>\
         <reference xmlns='urn:xmpp:reference:0' type='data' uri='xmpp:ana@example.org/phone?jingle-ft'/></sources>\
         </media-sharing>"
    )
}

#[test]
fn sims_round_trips_and_verifies_the_content() {
    let data = b"jpeg  bytes";
    let hash = xep_hashes::Hash::compute(xep_hashes::Algo::Sha256, data).unwrap();
    let xml = sims_xml(&hash.value.to_xml());
    let m = MediaSharing::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(m.to_xml(), xml);
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(MediaSharing::from_element(&dom).unwrap(), m);
    assert_eq!(
        m.uris().collect::<Vec<_>>(),
        [
            "https://files.example.org/a1/bridge.jpg",
            "xmpp:ana@example.org/phone?jingle-ft"
        ]
    );
    assert!(m.verify(data).is_ok());
    // Content that does not match is refused, whatever its source.
    assert!(matches!(
        m.verify(b"jpeg  bytez"),
        Err(VerifyError::Mismatch(_))
    ));
    assert!(matches!(m.verify(b"short"), Err(VerifyError::Size { .. })));
    // Inside the reference to the body, as sent.
    let r = m.clone().in_reference(17, 20);
    assert_eq!(r.uri, "https://files.example.org/a1/bridge.jpg");
    assert_eq!(r.extensions[0].get::<MediaSharing>().unwrap().unwrap(), m);
}

#[test]
fn sims_requires_what_the_xep_requires_of_the_file() {
    let ok = sims_xml("2XarmwTlNxDAMkvymloX3S5+VbylNrJt/l5QyPa+YoU=");
    for (cut, what) in [
        ("<media-type>image/jpeg</media-type>", "<media-type/>"),
        ("<size>11</size>", "<size/>"),
        ("<desc>The old bridge at dusk.</desc>", "<desc/>"),
    ] {
        let e = MediaSharing::from_xml(ok.replace(cut, "").as_bytes()).unwrap_err();
        assert!(e.to_string().contains(what), "{e}");
        assert!(e.to_string().contains("media-sharing"), "{e}");
    }
    let no_hash = ok.replace(
        "<hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>2XarmwTlNxDAMkvymloX3S5+VbylNrJt/l5QyPa+YoU=</hash>",
        "",
    );
    let e = MediaSharing::from_xml(no_hash.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("a <hash/>"), "{e}");
    let e = MediaSharing::from_xml(
        b"<media-sharing xmlns='urn:xmpp:sims:1'><sources/></media-sharing>",
    )
    .unwrap_err();
    assert!(e.to_string().contains("file"), "{e}");
}
