#!/usr/bin/env python3
"""Encrypt ODK submissions as ODK Collect does for an encrypted form, written from the spec
(docs.getodk.org/encrypted-forms) for the capture tests, with python3-cryptography:

  encrypt.py [--alter] [--drop FIELD] [--media FILE]... FORM.xml OUTDIR NAME=INSTANCE.xml...

For each instance: OUTDIR/NAME/submission.xml (the manifest) and OUTDIR/NAME/submission.xml.enc,
and with --media each FILE encrypted first, in order, as OUTDIR/NAME/BASENAME.enc, listed in the
manifest as <media><file>BASENAME.enc</file></media> (Collect's EncryptionUtils
writeSubmissionManifest) and signed with a line "BASENAME::md5hex" each before submission.xml's.
The public key is the form's <submission base64RsaPublicKey>; form id, version and instanceID
come from the instance. A fresh 32-byte AES key, RSA-OAEP (SHA-256, MGF1 SHA-1) under the form
key; the file AES-256-CFB with PKCS#5 padding, IV = md5(instanceID, key) with byte
(counter mod 16) incremented before each file; the element signature md5 over the lines formId,
version, base64EncryptedKey, instanceID, "submission.xml::md5hex", RSA-OAEP encrypted.
--alter: the .enc holds the instance with one character changed after it was signed (a
tampered submission); --drop FIELD: the manifest lacks that element; --alter-media: the first
media file's .enc holds it with its first byte changed after it was signed."""
import base64
import warnings
import hashlib
import os
import re
import sys

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as apad
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

warnings.simplefilter("ignore")  # CFB moving to the decrepit module in newer releases
OAEP = apad.OAEP(mgf=apad.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA256(), label=None)


def cfb(key, seed, plain):
    """AES-256-CFB128 with PKCS#5 padding, IV the seed as it is now"""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CFB(bytes(seed))).encryptor()
    return enc.update(padded) + enc.finalize()


def main(argv):
    alter = False
    alter_media = False
    drop = None
    media = []
    while argv and argv[0].startswith("--"):
        if argv[0] == "--alter":
            alter = True
            argv = argv[1:]
        elif argv[0] == "--alter-media":
            alter_media = True
            argv = argv[1:]
        elif argv[0] == "--media":
            media.append(argv[1])
            argv = argv[2:]
        elif argv[0] == "--drop":
            drop = argv[1]
            argv = argv[2:]
        else:
            sys.exit("encrypt.py: unknown option " + argv[0])
    form, out, instances = argv[0], argv[1], argv[2:]
    text = open(form, encoding="utf-8").read()
    b64 = re.search(r'<submission[^>]*base64RsaPublicKey="([^"]+)"', text).group(1)
    pub = serialization.load_der_public_key(base64.b64decode(b64))
    for spec in instances:
        name, path = spec.split("=", 1)
        plain = open(path, "rb").read()
        root = re.search(rb"<data\b[^>]*>", plain).group(0).decode()
        form_id = re.search(r'\bid="([^"]*)"', root).group(1)
        m = re.search(r'\bversion="([^"]*)"', root)
        version = m.group(1) if m else None
        iid = re.search(rb"instanceID>([^<]+)<", plain).group(1).decode()
        key = os.urandom(32)
        enc_key = base64.b64encode(pub.encrypt(key, OAEP)).decode()
        seed = bytearray(hashlib.md5(iid.encode() + key).digest())
        counter = 0
        lines = [form_id] + ([version] if version is not None else []) + [enc_key, iid]
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        media_names = []
        for i, path in enumerate(media):
            content = open(path, "rb").read()
            base = os.path.basename(path)
            lines.append(base + "::" + hashlib.md5(content).hexdigest())
            if alter_media and i == 0:
                content = bytes([(content[0] + 1) % 256]) + content[1:]
            seed[counter % 16] = (seed[counter % 16] + 1) % 256
            counter += 1
            open(os.path.join(d, base + ".enc"), "wb").write(cfb(key, seed, content))
            media_names.append(base + ".enc")
        seed[counter % 16] = (seed[counter % 16] + 1) % 256
        lines.append("submission.xml::" + hashlib.md5(plain).hexdigest())
        digest = hashlib.md5(("\n".join(lines) + "\n").encode()).digest()
        signature = base64.b64encode(pub.encrypt(digest, OAEP)).decode()
        if alter:
            plain = plain.replace(b"<surveyor>", b"<surveyor>X", 1)
        open(os.path.join(d, "submission.xml.enc"), "wb").write(cfb(key, seed, plain))
        fields = [
            ("base64EncryptedKey", enc_key),
            ("meta", '<instanceID xmlns="http://openrosa.org/xforms">%s</instanceID>' % iid),
        ] + [("media", "<file>%s</file>" % m) for m in media_names] + [
            ("encryptedXmlFile", "submission.xml.enc"),
            ("base64EncryptedElementSignature", signature),
        ]
        body = "".join(
            ('<meta xmlns="http://openrosa.org/xforms">%s</meta>' % v) if k == "meta"
            else "<%s>%s</%s>" % (k, v, k)
            for k, v in fields if k != drop)
        manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<data xmlns="http://opendatakit.org/submissions" encrypted="yes" id="%s"%s>%s</data>\n'
                    % (form_id, ' version="%s"' % version if version is not None else "", body))
        open(os.path.join(d, "submission.xml"), "w", encoding="utf-8").write(manifest)


main(sys.argv[1:])
