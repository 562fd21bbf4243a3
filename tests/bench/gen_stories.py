#!/usr/bin/env python3
"""gen_stories.py - N text stories for the text-library bench.

usage: gen_stories.py N CONTENT_DIR [HUGO_DIR]

Writes N story bundles under CONTENT_DIR/stories/<slug>/story.md (front
matter: title, summary, contributor, consent, status, date, warnings,
themes and tags; a body of a few paragraphs) and a hearth.yaml. With
HUGO_DIR, writes the same stories as a Hugo site there: the same titles,
dates, tags and bodies as content/stories/<slug>.md, a config and a
minimal layout (a page per story, the home page listing every story).
The words come from a fixed seed, so every run writes the same files.
"""
import os
import random
import sys

WORDS = ("morning group listen voice river quiet window kitchen walk friend "
         "letter garden night bus tide hands winter table chair door breath "
         "slowly together again small light rain road home hope trust room "
         "song paper tea stair field coat laugh evening kind name story").split()
THEMES = ["recovery", "family", "work", "peer-support", "grief", "hope"]
TAGS = ["anxiety", "sleep", "walking", "music", "friendship", "groups", "art"]


def sentence(r, lo=6, hi=16):
    w = [r.choice(WORDS) for _ in range(r.randint(lo, hi))]
    return " ".join(w).capitalize() + "."


def paragraph(r):
    return " ".join(sentence(r) for _ in range(r.randint(3, 6)))


def story(r, i):
    title = " ".join(r.choice(WORDS) for _ in range(r.randint(2, 5))).capitalize()
    slug = "story-%05d" % i
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 2015 + (i // 336) % 10
    return {
        "slug": slug,
        "title": "%s %d" % (title, i),
        "summary": sentence(r),
        "date": "%04d-%02d-%02d" % (year, month, day),
        "themes": r.sample(THEMES, 2),
        "tags": r.sample(TAGS, 3),
        "body": "\n\n".join(paragraph(r) for _ in range(r.randint(3, 5))),
    }


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def hearth_story(s):
    return (
        "---\n"
        "title: \"%(title)s\"\n"
        "summary: \"%(summary)s\"\n"
        "status: published\n"
        "published: %(date)s\n"
        "contributor: {name: Casey Example, pseudonym: Wren, attribution: pseudonym}\n"
        "consent: {site: yes, podcast: no, given: %(date)s, recorded_by: Jo}\n"
        "themes: [%(themes)s]\n"
        "tags: [%(tags)s]\n"
        "---\n%(body)s\n"
    ) % dict(s, themes=", ".join(s["themes"]), tags=", ".join(s["tags"]))


def hugo_story(s):
    return (
        "---\n"
        "title: \"%(title)s\"\n"
        "summary: \"%(summary)s\"\n"
        "date: %(date)s\n"
        "tags: [%(tags)s]\n"
        "---\n%(body)s\n"
    ) % dict(s, tags=", ".join(s["tags"]))


HUGO_CONFIG = """baseURL = "https://stories.example.net/"
title = "Stories"
languageCode = "en"
disableKinds = ["taxonomy", "term"]
"""
BASEOF = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>{{ block "main" . }}{{ end }}</body></html>
"""
SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Summary }}</p><time>{{ .Date.Format "2006-01-02" }}</time>
{{ .Content }}</article>{{ end }}
"""
LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>{{ end }}
"""


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[2])
    n, content = int(sys.argv[1]), sys.argv[2]
    hugo = sys.argv[3] if len(sys.argv) == 4 else None
    r = random.Random(9)
    write(os.path.join(content, "hearth.yaml"),
          "title: Stories\nbase_url: \"https://stories.example.net\"\n")
    if hugo:
        write(os.path.join(hugo, "hugo.toml"), HUGO_CONFIG)
        lay = os.path.join(hugo, "layouts", "_default")
        write(os.path.join(lay, "baseof.html"), BASEOF)
        write(os.path.join(lay, "single.html"), SINGLE)
        write(os.path.join(lay, "list.html"), LIST)
    for i in range(n):
        s = story(r, i)
        write(os.path.join(content, "stories", s["slug"], "story.md"), hearth_story(s))
        if hugo:
            write(os.path.join(hugo, "content", "stories", s["slug"] + ".md"), hugo_story(s))


if __name__ == "__main__":
    main()
