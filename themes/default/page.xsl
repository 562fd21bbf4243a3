<?xml version="1.0" encoding="UTF-8"?>
<!--
  page.xsl - Hearth's default theme: turns one page document of the public
  view (<page type="home|story|stories|collection|404">, see site-gen/view.c) into
  an HTML page. site-gen writes "<!DOCTYPE html>" before the result.

  Every part is a named template, so a custom theme can change one part and
  keep the rest:

    <xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
      <xsl:import href="hearth:default/page.xsl"/>
      <xsl:template name="site-footer"> ... </xsl:template>
    </xsl:stylesheet>

  (hearth:default/ is the default theme's folder wherever hearth is
  installed; see docs/themes.md.)

  The parameter root is the relative path from the page to the site root
  ("", "../", "../../", ...); links are relative so the site also works
  from disk.

  Every word the page says comes from the theme's strings files
  (strings/en.xml, strings/fr.xml, ...; see docs/themes.md), in the
  library's language:

    <xsl:call-template name="t">
      <xsl:with-param name="id" select="'nav.home'"/>
    </xsl:call-template>

  and, with counts or text put in for {1}, {2}, {3} (counts are written as
  the language writes numbers; "<id>.one" is taken for a singular count):

    <xsl:call-template name="t">
      <xsl:with-param name="id" select="'list.range'"/>
      <xsl:with-param name="n1" select="$first"/>
      <xsl:with-param name="n2" select="$last"/>
      <xsl:with-param name="n3" select="@count"/>
    </xsl:call-template>

  The same as functions, for attributes and short places:
  h:t('nav.home'), h:t('list.range', $first, $last, @count); h:date(@iso)
  writes a date ("10 May 2024", "10 mai 2024") and h:size(@size) a file's
  size. The strings are read once per build, never per page.

  <html lang> is the library's language; a story in another language marks
  only its own words (title, summary, text, transcript) with lang.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:h="urn:hearth:theme" exclude-result-prefixes="h">

  <xsl:output method="html" encoding="UTF-8" indent="no"/>

  <xsl:param name="root" select="''"/>

  <xsl:variable name="site" select="/page/site"/>

  <xsl:template match="/">
    <xsl:call-template name="html"/>
  </xsl:template>

  <!-- ==== the document ================================================== -->

  <xsl:template name="html">
    <html>
      <xsl:attribute name="lang">
        <xsl:call-template name="page-language"/>
      </xsl:attribute>
      <head>
        <xsl:call-template name="head"/>
      </head>
      <body>
        <a class="skip-link" href="#main"><xsl:value-of select="h:t('skip.main')"/></a>
        <xsl:call-template name="site-header"/>
        <main id="main" tabindex="-1">
          <xsl:choose>
            <xsl:when test="/page/@type = 'story'">
              <xsl:call-template name="page-story"/>
            </xsl:when>
            <xsl:when test="/page/@type = 'collection'">
              <xsl:call-template name="page-collection"/>
            </xsl:when>
            <xsl:when test="/page/@type = 'stories'">
              <xsl:call-template name="page-stories"/>
            </xsl:when>
            <xsl:when test="/page/@type = '404'">
              <xsl:call-template name="page-404"/>
            </xsl:when>
            <xsl:when test="/page/group">
              <xsl:call-template name="page-group"/>
            </xsl:when>
            <xsl:when test="/page/@type = 'topics' or /page/@type = 'contributors'">
              <xsl:call-template name="page-group-index"/>
            </xsl:when>
            <xsl:when test="/page/@type = 'subscribe'">
              <xsl:call-template name="page-subscribe"/>
            </xsl:when>
            <xsl:when test="/page/@type = 'about'">
              <xsl:call-template name="page-about"/>
              </xsl:when>
            <xsl:when test="/page/@type = 'search'">
              <xsl:call-template name="page-search"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:call-template name="page-home"/>
            </xsl:otherwise>
          </xsl:choose>
        </main>
        <xsl:call-template name="site-footer"/>
      </body>
    </html>
  </xsl:template>

  <!-- The page's language: the library's, whatever the story's (see content-lang). -->
  <xsl:template name="page-language">
    <xsl:choose>
      <xsl:when test="$site/language">
        <xsl:value-of select="$site/language"/>
      </xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="page-title">
    <xsl:choose>
      <xsl:when test="/page/@type = 'story'">
        <xsl:value-of select="/page/story/title"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/@type = 'collection'">
        <xsl:value-of select="/page/collection/title"/>
        <xsl:call-template name="page-of"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/@type = 'stories'">
        <xsl:value-of select="h:t('stories.title')"/>
        <xsl:call-template name="page-of"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/@type = '404'">
        <xsl:value-of select="h:t('notfound.title')"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/group">
        <xsl:call-template name="group-heading"/>
        <xsl:call-template name="page-of"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/@type = 'topics'">
        <xsl:value-of select="h:t('topics.title')"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/@type = 'contributors'">
        <xsl:value-of select="h:t('contributors.title')"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/@type = 'subscribe'">
        <xsl:value-of select="h:t('subscribe.title')"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/@type = 'about'">
        <xsl:value-of select="h:t('about.title')"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
      <xsl:when test="/page/@type = 'search'">
        <xsl:value-of select="h:t('search.title')"/>
        <xsl:text> – </xsl:text>
      </xsl:when>
    </xsl:choose>
    <xsl:value-of select="$site/title"/>
  </xsl:template>

  <!-- ", page 2 of 5" on a list of more than one page, so each page has its own title. -->
  <xsl:template name="page-of">
    <xsl:if test="/page/pager">
      <xsl:value-of select="h:t('title.page_of', /page/pager/@page, /page/pager/@pages)"/>
    </xsl:if>
  </xsl:template>

  <xsl:template name="head">
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1"/>
    <title><xsl:call-template name="page-title"/></title>
    <xsl:choose>
      <xsl:when test="/page/story/summary">
        <meta name="description" content="{/page/story/summary}"/>
      </xsl:when>
      <xsl:when test="$site/description">
        <meta name="description" content="{$site/description}"/>
      </xsl:when>
    </xsl:choose>
    <link rel="stylesheet" href="{$root}style.css"/>
    <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%23b5542a'/%3E%3C/svg%3E"/>
    <link rel="alternate" type="application/rss+xml" href="{$root}{$site/feed/@href}">
      <xsl:attribute name="title">
        <xsl:value-of select="h:t('head.feed_title', $site/title)"/>
      </xsl:attribute>
    </link>
    <xsl:if test="/page/pager/prev">
      <link rel="prev" href="{$root}{/page/pager/prev/@href}"/>
    </xsl:if>
    <xsl:if test="/page/pager/next">
      <link rel="next" href="{$root}{/page/pager/next/@href}"/>
    </xsl:if>
    <xsl:call-template name="head-meta"/>
    <xsl:call-template name="head-extra"/>
  </xsl:template>

  <!-- A hook for custom themes: scripts, icons, more meta. -->
  <xsl:template name="head-extra"/>

  <!-- ==== header and footer ============================================= -->

  <xsl:template name="site-header">
    <header class="site-header">
      <p class="site-title">
        <a href="{$root}index.html"><xsl:value-of select="$site/title"/></a>
      </p>
      <nav aria-label="{h:t('nav.main')}">
        <ul>
          <li>
            <a href="{$root}index.html">
              <xsl:if test="/page/@type = 'home'">
                <xsl:attribute name="aria-current">page</xsl:attribute>
              </xsl:if>
              <xsl:value-of select="h:t('nav.home')"/>
            </a>
          </li>
          <li>
            <a href="{$root}stories/index.html">
              <xsl:if test="/page/@type = 'stories'">
                <xsl:attribute name="aria-current">
                  <xsl:choose>
                    <xsl:when test="/page/stories/@page = 1">page</xsl:when>
                    <xsl:otherwise>true</xsl:otherwise>
                  </xsl:choose>
                </xsl:attribute>
              </xsl:if>
              <xsl:value-of select="h:t('nav.stories')"/>
            </a>
          </li>
          <xsl:if test="$site/@collections &gt; 0">
            <li><a href="{$root}index.html#collections"><xsl:value-of select="h:t('nav.collections')"/></a></li>
          </xsl:if>
          <li>
            <a href="{$root}themes/index.html">
              <xsl:if test="/page/@type = 'topics'">
                <xsl:attribute name="aria-current">page</xsl:attribute>
              </xsl:if>
              <xsl:value-of select="h:t('nav.themes')"/>
            </a>
          </li>
          <li>
            <a href="{$root}subscribe/index.html">
              <xsl:if test="/page/@type = 'subscribe'">
                <xsl:attribute name="aria-current">page</xsl:attribute>
              </xsl:if>
              <xsl:value-of select="h:t('nav.feed')"/>
            </a>
          </li>
          <li>
            <a href="{$root}about/index.html">
              <xsl:if test="/page/@type = 'about'">
                <xsl:attribute name="aria-current">page</xsl:attribute>
              </xsl:if>
              <xsl:value-of select="h:t('nav.about')"/>
            </a>
          </li>
          <li>
            <a href="{$root}search/index.html">
              <xsl:if test="/page/@type = 'search'">
                <xsl:attribute name="aria-current">page</xsl:attribute>
              </xsl:if>
              <xsl:value-of select="h:t('nav.search')"/>
            </a>
          </li>
        </ul>
      </nav>
    </header>
  </xsl:template>

  <xsl:template name="site-footer">
    <footer class="site-footer">
      <p>
        <xsl:value-of select="h:t('footer.consent')"/>
        <xsl:text> </xsl:text>
        <a href="{$root}about/index.html"><xsl:value-of select="h:t('footer.about')"/></a>
      </p>
      <p>
        <a href="{$root}subscribe/index.html"><xsl:value-of select="h:t('footer.subscribe')"/></a>
        <xsl:text> · </xsl:text>
        <a href="{$root}contributors/index.html"><xsl:value-of select="h:t('footer.contributors')"/></a>
        <xsl:text> · </xsl:text>
        <a href="{$root}themes/index.html"><xsl:value-of select="h:t('footer.topics')"/></a>
      </p>
      <xsl:call-template name="crisis-line"/>
      <xsl:if test="$site/license">
        <p class="licence"><xsl:value-of select="h:t('footer.licence', $site/license)"/></p>
      </xsl:if>
    </footer>
  </xsl:template>

  <!--
    The crisis-support line: the library's own (site.crisis_line, linked to
    site.crisis_url when there is one), else a neutral sentence.
  -->
  <xsl:template name="crisis-line">
    <p class="support">
      <xsl:variable name="text">
        <xsl:choose>
          <xsl:when test="normalize-space($site/crisis)">
            <xsl:value-of select="$site/crisis"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="h:t('footer.support')"/></xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <xsl:choose>
        <xsl:when test="$site/crisis/@url">
          <a href="{$site/crisis/@url}"><xsl:value-of select="$text"/></a>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
      </xsl:choose>
    </p>
  </xsl:template>

  <!-- ==== home ========================================================== -->

  <xsl:template name="page-home">
    <h1><xsl:value-of select="$site/title"/></h1>
    <xsl:if test="$site/description">
      <p class="lede"><xsl:value-of select="$site/description"/></p>
    </xsl:if>
    <xsl:call-template name="home-listen"/>
    <section aria-labelledby="stories-title">
      <h2 id="stories-title"><xsl:value-of select="h:t('home.latest')"/></h2>
      <xsl:call-template name="story-list">
        <xsl:with-param name="stories" select="/page/stories/story"/>
      </xsl:call-template>
      <xsl:if test="/page/stories/story">
        <p class="more">
          <a href="{$root}{/page/stories/@href}">
            <xsl:value-of select="h:t('home.all', /page/stories/@count)"/>
          </a>
        </p>
      </xsl:if>
    </section>
    <xsl:call-template name="home-themes"/>
    <xsl:if test="/page/collections/collection">
      <section id="collections" aria-labelledby="collections-title">
        <h2 id="collections-title"><xsl:value-of select="h:t('home.collections')"/></h2>
        <ul class="cards">
          <xsl:for-each select="/page/collections/collection">
            <li>
              <xsl:call-template name="collection-card"/>
            </li>
          </xsl:for-each>
        </ul>
      </section>
    </xsl:if>
  </xsl:template>

  <xsl:template name="story-list">
    <xsl:param name="stories"/>
    <xsl:choose>
      <xsl:when test="$stories">
        <ul class="cards">
          <xsl:for-each select="$stories">
            <li><xsl:call-template name="story-card"/></li>
          </xsl:for-each>
        </ul>
      </xsl:when>
      <xsl:otherwise>
        <p><xsl:value-of select="h:t('list.empty')"/></p>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Context: a <story>. -->
  <xsl:template name="story-card">
    <article class="card">
      <xsl:if test="art">
        <xsl:attribute name="class">card card-with-art</xsl:attribute>
      </xsl:if>
      <xsl:call-template name="card-art"/>
      <h3 class="card-title">
        <a href="{$root}{@href}">
          <xsl:copy-of select="@lang"/>
          <xsl:value-of select="title"/>
        </a>
      </h3>
      <p class="card-meta">
        <xsl:call-template name="byline"/>
        <xsl:if test="published">
          <xsl:text> · </xsl:text>
          <time datetime="{published/@iso}"><xsl:value-of select="h:date(published/@iso)"/></time>
        </xsl:if>
        <xsl:if test="@audio = 'yes'">
          <xsl:text> · </xsl:text>
          <xsl:value-of select="h:t('card.audio')"/>
        </xsl:if>
      </p>
      <xsl:if test="warnings/warning">
        <p class="card-warning">
          <strong><xsl:value-of select="h:t('card.warning')"/></strong>
          <xsl:text> </xsl:text>
          <xsl:call-template name="comma-list">
            <xsl:with-param name="items" select="warnings/warning"/>
          </xsl:call-template>
        </p>
      </xsl:if>
      <xsl:if test="summary">
        <p class="card-summary">
          <xsl:copy-of select="@lang"/>
          <xsl:value-of select="summary"/>
        </p>
      </xsl:if>
    </article>
  </xsl:template>

  <!-- Context: a <collection>. -->
  <xsl:template name="collection-card">
    <article class="card">
      <h3 class="card-title">
        <a href="{$root}{@href}"><xsl:value-of select="title"/></a>
      </h3>
      <xsl:if test="description">
        <p class="card-summary"><xsl:value-of select="description"/></p>
      </xsl:if>
      <p class="card-meta"><xsl:value-of select="h:t('collection.count', @count)"/></p>
    </article>
  </xsl:template>

  <!-- ==== collection ==================================================== -->

  <xsl:template name="page-collection">
    <xsl:for-each select="/page/collection">
      <h1><xsl:value-of select="title"/></h1>
      <xsl:if test="description">
        <p class="lede"><xsl:value-of select="description"/></p>
      </xsl:if>
      <section aria-labelledby="collection-stories-title">
        <h2 id="collection-stories-title"><xsl:value-of select="h:t('collection.stories')"/></h2>
        <xsl:call-template name="list-status">
          <xsl:with-param name="list" select="."/>
        </xsl:call-template>
        <xsl:call-template name="story-list">
          <xsl:with-param name="stories" select="stories/story"/>
        </xsl:call-template>
      </section>
    </xsl:for-each>
    <xsl:call-template name="pager">
      <xsl:with-param name="label" select="h:t('collection.pages')"/>
    </xsl:call-template>
  </xsl:template>

  <!-- ==== all stories =================================================== -->

  <xsl:template name="page-stories">
    <h1><xsl:value-of select="h:t('stories.title')"/></h1>
    <section aria-labelledby="list-title">
      <h2 id="list-title">
        <xsl:choose>
          <xsl:when test="/page/pager and /page/stories/story">
            <xsl:variable name="first" select="(/page/stories/@page - 1) * /page/pager/@size + 1"/>
            <xsl:value-of select="h:t('list.range', $first,
                                  $first + count(/page/stories/story) - 1, /page/stories/@count)"/>
          </xsl:when>
          <xsl:when test="/page/stories/@count = 0"><xsl:value-of select="h:t('stories.none')"/></xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="h:t('stories.count', /page/stories/@count)"/>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:if test="/page/stories/@count &gt; 1"><xsl:value-of select="h:t('list.newest')"/></xsl:if>
      </h2>
      <xsl:call-template name="story-list">
        <xsl:with-param name="stories" select="/page/stories/story"/>
      </xsl:call-template>
    </section>
    <xsl:call-template name="pager">
      <xsl:with-param name="label" select="h:t('stories.pages')"/>
    </xsl:call-template>
  </xsl:template>

  <!--
    Which stories of a paged collection this page shows ("Stories 51 to
    100 of 230"); nothing for a list of one page. $list: the element with
    @count, @page and <stories>.
  -->
  <xsl:template name="list-status">
    <xsl:param name="list"/>
    <xsl:if test="/page/pager and $list/stories/story">
      <xsl:variable name="first" select="($list/@page - 1) * /page/pager/@size + 1"/>
      <p class="list-status">
        <xsl:value-of select="h:t('list.range', $first,
                              $first + count($list/stories/story) - 1, $list/@count)"/>
      </p>
    </xsl:if>
  </xsl:template>

  <!--
    The links between the pages of a list: previous, the first and last
    pages and those near this one, next. $label names the navigation.
  -->
  <xsl:template name="pager">
    <xsl:param name="label"/>
    <xsl:for-each select="/page/pager">
      <nav class="pager" aria-label="{$label}">
        <ul>
          <xsl:if test="prev">
            <li class="pager-prev">
              <a href="{$root}{prev/@href}" rel="prev"><xsl:value-of select="h:t('pager.prev')"/></a>
            </li>
          </xsl:if>
          <xsl:for-each select="link | gap">
            <xsl:choose>
              <xsl:when test="self::gap">
                <li class="pager-gap" aria-hidden="true">…</li>
              </xsl:when>
              <xsl:otherwise>
                <li>
                  <a href="{$root}{@href}">
                    <xsl:if test="@current = 'yes'">
                      <xsl:attribute name="aria-current">page</xsl:attribute>
                    </xsl:if>
                    <span class="visually-hidden"><xsl:value-of select="h:t('pager.page')"/><xsl:text> </xsl:text></span>
                    <xsl:value-of select="@n"/>
                  </a>
                </li>
              </xsl:otherwise>
            </xsl:choose>
          </xsl:for-each>
          <xsl:if test="next">
            <li class="pager-next">
              <a href="{$root}{next/@href}" rel="next"><xsl:value-of select="h:t('pager.next')"/></a>
            </li>
          </xsl:if>
        </ul>
      </nav>
    </xsl:for-each>
  </xsl:template>

  <!-- ==== story ========================================================= -->

  <xsl:template name="page-story">
    <xsl:for-each select="/page/story">
      <article class="story">
        <header class="story-header">
          <h1>
            <xsl:copy-of select="@lang"/>
            <xsl:value-of select="title"/>
          </h1>
          <p class="byline"><xsl:call-template name="byline"/></p>
          <xsl:if test="published">
            <p class="story-date">
              <xsl:value-of select="h:t('story.published')"/>
              <xsl:text> </xsl:text>
              <time datetime="{published/@iso}"><xsl:value-of select="h:date(published/@iso)"/></time>
            </p>
          </xsl:if>
        </header>
        <xsl:call-template name="story-warnings"/>
        <xsl:if test="summary">
          <p class="summary">
            <xsl:copy-of select="@lang"/>
            <xsl:value-of select="summary"/>
          </p>
        </xsl:if>
        <xsl:call-template name="story-audio"/>
        <xsl:call-template name="story-art"/>
        <xsl:call-template name="story-body"/>
        <xsl:call-template name="story-transcript"/>
        <xsl:call-template name="story-details"/>
      </article>
    </xsl:for-each>
  </xsl:template>

  <!-- Context: a <story>. Shown before anything of the story itself. -->
  <xsl:template name="story-warnings">
    <xsl:if test="warnings/warning">
      <div class="content-warning" role="note" aria-labelledby="content-warning-title">
        <h2 id="content-warning-title"><xsl:value-of select="h:t('warning.title')"/></h2>
        <p>
          <xsl:call-template name="t">
            <xsl:with-param name="id" select="'warning.about'"/>
            <xsl:with-param name="n1">
              <xsl:call-template name="comma-list">
                <xsl:with-param name="items" select="warnings/warning"/>
              </xsl:call-template>
            </xsl:with-param>
          </xsl:call-template>
        </p>
        <p><xsl:value-of select="h:t('warning.care')"/></p>
      </div>
    </xsl:if>
  </xsl:template>

  <!--
    Context: a <story>. The player works without JavaScript: the audio
    element, its length as text, downloads, the chapters and the
    transcript's times as links to the MP3 with a media fragment (#t=90),
    which the browser plays from there. player.js, when it runs, makes them
    seek the page's player instead, turns the waveform into a seek bar,
    follows playback in the transcript, honours #t= in the page's address
    and offers a link to the moment playing. Its words come from the data-t-*
    attributes here.
  -->
  <xsl:template name="story-audio">
    <xsl:if test="audio">
      <section class="listen" id="listen" aria-labelledby="listen-title" data-player="">
        <xsl:attribute name="data-t-seek"><xsl:value-of select="h:t('player.seek')"/></xsl:attribute>
        <xsl:attribute name="data-t-position">
          <xsl:value-of select="h:t('player.position', '{1}', '{2}')"/>
        </xsl:attribute>
        <xsl:attribute name="data-t-share"><xsl:value-of select="h:t('player.share')"/></xsl:attribute>
        <xsl:attribute name="data-t-link"><xsl:value-of select="h:t('player.link', '{1}')"/></xsl:attribute>
        <xsl:attribute name="data-t-copied"><xsl:value-of select="h:t('player.copied')"/></xsl:attribute>
        <h2 id="listen-title"><xsl:value-of select="h:t('audio.listen')"/></h2>
        <xsl:for-each select="audio">
          <div class="player" data-duration="{@duration}">
            <xsl:if test="count(../audio) &gt; 1">
              <h3>
                <xsl:choose>
                  <xsl:when test="@role = 'music'"><xsl:value-of select="h:t('audio.music')"/></xsl:when>
                  <xsl:otherwise><xsl:value-of select="h:t('audio.spoken')"/></xsl:otherwise>
                </xsl:choose>
              </h3>
            </xsl:if>
            <!-- the waveform only decorates: the player says everything
                 (player.js puts a seek bar over it) -->
            <xsl:if test="waveform">
              <img class="waveform" src="{$root}{waveform/@src}" alt="" width="800" height="60"
                   loading="lazy" decoding="async"/>
            </xsl:if>
            <!-- the AAC is offered as a download below: libxml2's HTML writer
                 does not know <source> is empty and would close it -->
            <audio controls="controls" preload="metadata" src="{$root}{@src}">
              <a href="{$root}{@src}" download=""><xsl:value-of select="h:t('audio.fallback')"/></a>
            </audio>
            <p class="audio-meta">
              <!-- the length as <time>, where the language puts it -->
              <xsl:variable name="length" select="h:t('audio.length', '{1}')"/>
              <xsl:value-of select="substring-before($length, '{1}')"/>
              <time class="audio-length" datetime="PT{@duration}S"><xsl:value-of select="@clock"/></time>
              <xsl:value-of select="substring-after($length, '{1}')"/>
              <xsl:text> · </xsl:text>
              <a href="{$root}{@src}" download="">
                <xsl:value-of select="h:t('audio.mp3', h:size(@size))"/>
              </a>
              <xsl:for-each select="alternate">
                <xsl:text> </xsl:text>
                <xsl:value-of select="h:t('audio.or')"/>
                <xsl:text> </xsl:text>
                <a href="{$root}{@src}" download="">
                  <xsl:value-of select="h:t('audio.aac', h:size(@size))"/>
                </a>
              </xsl:for-each>
              <xsl:if test="position() = 1 and ../transcript">
                <xsl:text> · </xsl:text>
                <a href="#transcript"><xsl:value-of select="h:t('audio.transcript')"/></a>
              </xsl:if>
            </p>
          </div>
        </xsl:for-each>
        <xsl:call-template name="story-chapters"/>
      </section>
      <script src="{$root}player.js" defer="defer"></script>
    </xsl:if>
  </xsl:template>

  <!--
    A link that plays the story's first track from a time: $start in
    seconds. Without JavaScript, the MP3 itself from there (a media
    fragment); player.js makes it seek the page's player.
  -->
  <xsl:template name="seek-href">
    <xsl:param name="start"/>
    <xsl:value-of select="concat($root, /page/story/audio[1]/@src, '#t=', $start)"/>
  </xsl:template>

  <!-- Context: a <story>. The chapters of the first track, by the player. -->
  <xsl:template name="story-chapters">
    <xsl:if test="chapters/chapter">
      <nav class="chapters" aria-labelledby="chapters-title">
        <h3 id="chapters-title"><xsl:value-of select="h:t('chapters.title')"/></h3>
        <ol>
          <xsl:for-each select="chapters/chapter">
            <li>
              <a class="seek chapter-link" data-start="{@start}">
                <xsl:attribute name="href">
                  <xsl:call-template name="seek-href">
                    <xsl:with-param name="start" select="@start"/>
                  </xsl:call-template>
                </xsl:attribute>
                <time class="chapter-time" datetime="{@duration}"><xsl:value-of select="@clock"/></time>
                <xsl:text> </xsl:text>
                <span class="chapter-title">
                  <xsl:copy-of select="../../@lang"/>
                  <xsl:value-of select="."/>
                </span>
              </a>
            </li>
          </xsl:for-each>
        </ol>
      </nav>
    </xsl:if>
  </xsl:template>

  <!--
    How wide story art is shown, for the browser to pick a rendition: the
    column is 40rem (style.css, measure) inside 1.25rem of padding a side.
    A theme with another column changes this.
  -->
  <xsl:variable name="art-sizes" select="'(max-width: 42.5rem) calc(100vw - 2.5rem), 40rem'"/>

  <!--
    Context: a <story>. Each <art> comes as JPEG and WebP at a few widths
    (its <image> children); width and height are the largest's, so the page
    keeps its place while the picture loads.
  -->
  <xsl:template name="story-art">
    <xsl:for-each select="art">
      <figure class="art">
        <picture>
          <xsl:if test="image[@type = 'image/webp']">
            <source type="image/webp" sizes="{$art-sizes}">
              <xsl:attribute name="srcset">
                <xsl:call-template name="srcset">
                  <xsl:with-param name="images" select="image[@type = 'image/webp']"/>
                </xsl:call-template>
              </xsl:attribute>
            </source>
          </xsl:if>
          <img src="{$root}{@src}" alt="{@alt}" width="{@width}" height="{@height}"
               loading="lazy" decoding="async">
            <xsl:copy-of select="../@lang"/>
            <xsl:if test="image[@type = 'image/jpeg']">
              <xsl:attribute name="srcset">
                <xsl:call-template name="srcset">
                  <xsl:with-param name="images" select="image[@type = 'image/jpeg']"/>
                </xsl:call-template>
              </xsl:attribute>
              <xsl:attribute name="sizes"><xsl:value-of select="$art-sizes"/></xsl:attribute>
            </xsl:if>
          </img>
        </picture>
      </figure>
    </xsl:for-each>
  </xsl:template>

  <!-- "a.jpg 480w, b.jpg 960w" from <image src width> elements. -->
  <xsl:template name="srcset">
    <xsl:param name="images"/>
    <xsl:for-each select="$images">
      <xsl:if test="position() &gt; 1">, </xsl:if>
      <xsl:value-of select="concat($root, @src, ' ', @width, 'w')"/>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="story-body">
    <xsl:if test="body/node()">
      <div class="story-body">
        <xsl:copy-of select="@lang"/>
        <xsl:copy-of select="body/node()"/>
      </div>
    </xsl:if>
  </xsl:template>

  <!--
    Context: a <story>. With the cues' times (and audio to play), each cue
    is an item of a list in a box of its own height, its time a link that
    plays from there; player.js marks the cue playing with
    aria-current="true" and scrolls the box (never the page) to it.
  -->
  <xsl:template name="story-transcript">
    <xsl:if test="transcript">
      <section class="transcript" id="transcript" aria-labelledby="transcript-title">
        <h2 id="transcript-title"><xsl:value-of select="h:t('transcript.title')"/></h2>
        <xsl:choose>
          <xsl:when test="transcript/@timed = 'yes' and audio">
            <div class="transcript-cues">
              <ol class="cues">
                <xsl:for-each select="transcript/line">
                  <li class="cue" data-start="{@start}">
                    <a class="seek cue-time" data-start="{@start}">
                      <xsl:attribute name="href">
                        <xsl:call-template name="seek-href">
                          <xsl:with-param name="start" select="@start"/>
                        </xsl:call-template>
                      </xsl:attribute>
                      <span class="visually-hidden">
                        <xsl:value-of select="h:t('player.from')"/>
                        <xsl:text> </xsl:text>
                      </span>
                      <time datetime="{@duration}"><xsl:value-of select="@clock"/></time>
                    </a>
                    <xsl:text> </xsl:text>
                    <span class="cue-text">
                      <xsl:copy-of select="../../@lang"/>
                      <xsl:value-of select="."/>
                    </span>
                  </li>
                </xsl:for-each>
              </ol>
            </div>
          </xsl:when>
          <xsl:when test="transcript/line">
            <div class="transcript-text">
              <xsl:copy-of select="@lang"/>
              <xsl:for-each select="transcript/line">
                <p><xsl:value-of select="."/></p>
              </xsl:for-each>
            </div>
          </xsl:when>
        </xsl:choose>
        <xsl:if test="transcript/@src">
          <p class="transcript-file">
            <a href="{$root}{transcript/@src}" download=""><xsl:value-of select="h:t('transcript.download')"/></a>
          </p>
        </xsl:if>
      </section>
    </xsl:if>
  </xsl:template>

  <xsl:template name="story-details">
    <xsl:if test="themes/theme or tags/tag or license or season or episode">
      <footer class="story-details">
        <dl>
          <xsl:if test="themes/theme">
            <div>
              <dt><xsl:value-of select="h:t('details.themes')"/></dt>
              <dd>
                <xsl:call-template name="link-list">
                  <xsl:with-param name="items" select="themes/theme"/>
                </xsl:call-template>
              </dd>
            </div>
          </xsl:if>
          <xsl:if test="tags/tag">
            <div>
              <dt><xsl:value-of select="h:t('details.tags')"/></dt>
              <dd>
                <xsl:call-template name="link-list">
                  <xsl:with-param name="items" select="tags/tag"/>
                </xsl:call-template>
              </dd>
            </div>
          </xsl:if>
          <xsl:if test="season or episode">
            <div>
              <dt><xsl:value-of select="h:t('details.episode')"/></dt>
              <dd>
                <xsl:if test="season"><xsl:value-of select="h:t('details.season_n', season/@n)"/></xsl:if>
                <xsl:if test="season and episode">, </xsl:if>
                <xsl:if test="episode"><xsl:value-of select="h:t('details.episode_n', episode/@n)"/></xsl:if>
              </dd>
            </div>
          </xsl:if>
          <xsl:if test="license">
            <div>
              <dt><xsl:value-of select="h:t('details.licence')"/></dt>
              <dd><xsl:value-of select="license"/></dd>
            </div>
          </xsl:if>
        </dl>
      </footer>
    </xsl:if>
  </xsl:template>

  <!-- ==== 404 =========================================================== -->

  <xsl:template name="page-404">
    <h1><xsl:value-of select="h:t('notfound.title')"/></h1>
    <p><xsl:value-of select="h:t('notfound.text')"/></p>
    <p><a href="{$root}index.html"><xsl:value-of select="h:t('notfound.home')"/></a></p>
  </xsl:template>

  <!-- ==== head: canonical address, OpenGraph, JSON-LD, feeds ============== -->

  <xsl:template name="head-meta">
    <xsl:if test="/page/@type != '404'">
      <link rel="canonical" href="{/page/@url}"/>
    </xsl:if>
    <link rel="alternate" type="application/atom+xml" href="{$root}atom.xml">
      <xsl:attribute name="title">
        <xsl:value-of select="h:t('head.atom_title', $site/title)"/>
      </xsl:attribute>
    </link>
    <xsl:for-each select="/page/collection[@feed]">
      <link rel="alternate" type="application/rss+xml" href="{$root}{@feed}">
        <xsl:attribute name="title">
          <xsl:value-of select="h:t('head.feed_title', title)"/>
        </xsl:attribute>
      </link>
    </xsl:for-each>
    <meta property="og:site_name" content="{$site/title}"/>
    <meta property="og:title">
      <xsl:attribute name="content">
        <xsl:choose>
          <xsl:when test="/page/story"><xsl:value-of select="/page/story/title"/></xsl:when>
          <xsl:otherwise><xsl:call-template name="page-title"/></xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
    </meta>
    <xsl:choose>
      <xsl:when test="/page/story/summary">
        <meta property="og:description" content="{/page/story/summary}"/>
      </xsl:when>
      <xsl:when test="$site/description">
        <meta property="og:description" content="{$site/description}"/>
      </xsl:when>
    </xsl:choose>
    <xsl:if test="/page/@type != '404'">
      <meta property="og:url" content="{/page/@url}"/>
    </xsl:if>
    <xsl:choose>
      <xsl:when test="/page/story">
        <meta property="og:type" content="article"/>
      </xsl:when>
      <xsl:otherwise>
        <meta property="og:type" content="website"/>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:choose>
      <xsl:when test="/page/story/art">
        <meta property="og:image" content="{/page/@base}/{/page/story/art[1]/@src}"/>
        <meta property="og:image:alt" content="{/page/story/art[1]/@alt}"/>
      </xsl:when>
      <xsl:when test="$site/cover">
        <meta property="og:image" content="{/page/@base}/{$site/cover/@src}"/>
      </xsl:when>
    </xsl:choose>
    <xsl:if test="/page/jsonld">
      <script type="application/ld+json">
        <xsl:value-of select="/page/jsonld" disable-output-escaping="yes"/>
      </script>
    </xsl:if>
  </xsl:template>

  <!-- ==== home: listen and subscribe, themes ============================ -->

  <xsl:template name="home-listen">
    <section class="listen-subscribe" aria-labelledby="listen-subscribe-title">
      <h2 id="listen-subscribe-title"><xsl:value-of select="h:t('home.listen')"/></h2>
      <p><xsl:value-of select="h:t('home.listen_text')"/></p>
      <p class="actions">
        <a class="button" href="{$root}subscribe/index.html"><xsl:value-of select="h:t('footer.subscribe')"/></a>
      </p>
    </section>
  </xsl:template>

  <xsl:template name="home-themes">
    <xsl:if test="/page/groups[@kind = 'theme']/group">
      <section id="themes" aria-labelledby="themes-title">
        <h2 id="themes-title"><xsl:value-of select="h:t('nav.themes')"/></h2>
        <ul class="terms">
          <xsl:for-each select="/page/groups[@kind = 'theme']/group">
            <li><xsl:call-template name="group-link"/></li>
          </xsl:for-each>
        </ul>
        <p class="more">
          <a href="{$root}themes/index.html"><xsl:value-of select="h:t('topics.all')"/></a>
        </p>
      </section>
    </xsl:if>
  </xsl:template>

  <!-- Context: a <group>. Its name, linked, with how many stories. -->
  <xsl:template name="group-link">
    <a href="{$root}{@href}">
      <xsl:value-of select="name"/>
    </a>
    <xsl:text> </xsl:text>
    <span class="count"><xsl:value-of select="h:t('group.count', @count)"/></span>
  </xsl:template>

  <!-- Context: a <story> of a list. Its first art, at a card's width. -->
  <xsl:template name="card-art">
    <xsl:for-each select="art[1]">
      <picture class="card-art">
        <xsl:if test="image[@type = 'image/webp']">
          <source type="image/webp" sizes="(max-width: 42.5rem) calc(100vw - 2.5rem), 40rem">
            <xsl:attribute name="srcset">
              <xsl:call-template name="srcset">
                <xsl:with-param name="images" select="image[@type = 'image/webp']"/>
              </xsl:call-template>
            </xsl:attribute>
          </source>
        </xsl:if>
        <img src="{$root}{@src}" alt="{@alt}" width="{@width}" height="{@height}"
             loading="lazy" decoding="async">
          <xsl:if test="image[@type = 'image/jpeg']">
            <xsl:attribute name="srcset">
              <xsl:call-template name="srcset">
                <xsl:with-param name="images" select="image[@type = 'image/jpeg']"/>
              </xsl:call-template>
            </xsl:attribute>
            <xsl:attribute name="sizes">(max-width: 42.5rem) calc(100vw - 2.5rem), 40rem</xsl:attribute>
          </xsl:if>
        </img>
      </picture>
    </xsl:for-each>
  </xsl:template>

  <!-- ==== theme, tag, contributor ======================================= -->

  <!-- "Theme: Hope", "Tag: sea", "Stories by Wren". -->
  <xsl:template name="group-heading">
    <xsl:for-each select="/page/group">
      <xsl:value-of select="h:t(concat('group.', @kind), name)"/>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="page-group">
    <xsl:for-each select="/page/group">
      <h1><xsl:call-template name="group-heading"/></h1>
      <section aria-labelledby="group-stories-title">
        <h2 id="group-stories-title">
          <xsl:value-of select="h:t('group.stories', @count)"/>
        </h2>
        <xsl:call-template name="list-status">
          <xsl:with-param name="list" select="."/>
        </xsl:call-template>
        <xsl:call-template name="story-list">
          <xsl:with-param name="stories" select="stories/story"/>
        </xsl:call-template>
      </section>
      <p class="more">
        <xsl:choose>
          <xsl:when test="@kind = 'contributor'">
            <a href="{$root}contributors/index.html"><xsl:value-of select="h:t('contributors.all')"/></a>
          </xsl:when>
          <xsl:otherwise>
            <a href="{$root}themes/index.html"><xsl:value-of select="h:t('topics.all')"/></a>
          </xsl:otherwise>
        </xsl:choose>
      </p>
    </xsl:for-each>
    <xsl:call-template name="pager">
      <xsl:with-param name="label" select="h:t('group.pages')"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="page-group-index">
    <xsl:choose>
      <xsl:when test="/page/@type = 'contributors'">
        <h1><xsl:value-of select="h:t('contributors.title')"/></h1>
        <p class="lede"><xsl:value-of select="h:t('contributors.lede')"/></p>
      </xsl:when>
      <xsl:otherwise>
        <h1><xsl:value-of select="h:t('topics.title')"/></h1>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:for-each select="/page/groups">
      <section aria-labelledby="groups-{@kind}">
        <h2 id="groups-{@kind}">
          <xsl:choose>
            <xsl:when test="@kind = 'theme'"><xsl:value-of select="h:t('details.themes')"/></xsl:when>
            <xsl:when test="@kind = 'tag'"><xsl:value-of select="h:t('details.tags')"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="h:t('contributors.everyone')"/></xsl:otherwise>
          </xsl:choose>
        </h2>
        <ul class="terms">
          <xsl:for-each select="group">
            <li><xsl:call-template name="group-link"/></li>
          </xsl:for-each>
        </ul>
      </section>
    </xsl:for-each>
    <xsl:if test="not(/page/groups/group)">
      <p><xsl:value-of select="h:t('topics.empty')"/></p>
    </xsl:if>
  </xsl:template>

  <!-- ==== subscribe ===================================================== -->

  <xsl:template name="page-subscribe">
    <xsl:for-each select="/page/subscribe">
      <h1><xsl:value-of select="h:t('subscribe.title')"/></h1>
      <p class="lede"><xsl:value-of select="h:t('subscribe.lede')"/></p>
      <section aria-labelledby="feed-title">
        <h2 id="feed-title"><xsl:value-of select="h:t('subscribe.feed')"/></h2>
        <p><xsl:value-of select="h:t('subscribe.paste')"/></p>
        <p class="feed-url">
          <code id="feed-url"><xsl:value-of select="@feed-url"/></code>
          <xsl:text> </xsl:text>
          <button type="button" class="copy" data-copy="feed-url" hidden="hidden"
                  data-done="{h:t('subscribe.copied')}" data-failed="{h:t('subscribe.copy_failed')}">
            <xsl:value-of select="h:t('subscribe.copy')"/>
          </button>
          <span class="copy-status" role="status"></span>
        </p>
        <xsl:for-each select="qr/svg">
          <figure class="qr">
            <svg viewBox="{@viewBox}" role="img" aria-label="{h:t('subscribe.qr')}"
                 shape-rendering="crispEdges">
              <xsl:copy-of select="*"/>
            </svg>
            <figcaption><xsl:value-of select="h:t('subscribe.qr_caption')"/></figcaption>
          </figure>
        </xsl:for-each>
      </section>
      <section aria-labelledby="apps-title">
        <h2 id="apps-title"><xsl:value-of select="h:t('subscribe.apps')"/></h2>
        <ul class="apps">
          <xsl:for-each select="apps/app">
            <li>
              <a href="{@href}">
                <xsl:choose>
                  <xsl:when test="@id = 'other'"><xsl:value-of select="h:t('subscribe.other_app')"/></xsl:when>
                  <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
                </xsl:choose>
              </a>
            </li>
          </xsl:for-each>
        </ul>
        <p><xsl:value-of select="h:t('subscribe.apps_note')"/></p>
      </section>
      <section aria-labelledby="more-feeds-title">
        <h2 id="more-feeds-title"><xsl:value-of select="h:t('subscribe.more')"/></h2>
        <ul class="feeds">
          <li><a href="{$root}{$site/feed/@href}"><xsl:value-of select="h:t('subscribe.rss')"/></a></li>
          <xsl:for-each select="feeds/collection">
            <li>
              <a href="{$root}{@feed}"><xsl:value-of select="h:t('subscribe.collection_rss', title)"/></a>
            </li>
          </xsl:for-each>
          <li><a href="{$root}atom.xml"><xsl:value-of select="h:t('subscribe.atom')"/></a></li>
          <li><a href="{$root}feeds.opml"><xsl:value-of select="h:t('subscribe.opml')"/></a></li>
        </ul>
      </section>
      <script>
        document.querySelectorAll('button.copy').forEach(function (b) {
          var text = document.getElementById(b.getAttribute('data-copy'));
          var status = b.parentNode.querySelector('.copy-status');
          if (!navigator.clipboard || !text) return;
          b.hidden = false;
          b.addEventListener('click', function () {
            navigator.clipboard.writeText(text.textContent).then(function () {
              status.textContent = b.getAttribute('data-done');
            }, function () {
              status.textContent = b.getAttribute('data-failed');
            });
          });
        });
      </script>
    </xsl:for-each>
  </xsl:template>

  <!-- ==== about ========================================================= -->

  <xsl:template name="page-about">
    <h1><xsl:value-of select="h:t('about.title')"/></h1>
    <xsl:if test="$site/description">
      <p class="lede"><xsl:value-of select="$site/description"/></p>
    </xsl:if>
    <section aria-labelledby="gathered-title">
      <h2 id="gathered-title"><xsl:value-of select="h:t('about.gathered')"/></h2>
      <p><xsl:value-of select="h:t('about.gathered_text')"/></p>
      <p><xsl:value-of select="h:t('about.names_text')"/></p>
    </section>
    <section aria-labelledby="consent-title">
      <h2 id="consent-title"><xsl:value-of select="h:t('about.consent')"/></h2>
      <p><xsl:value-of select="h:t('about.consent_text')"/></p>
    </section>
    <section aria-labelledby="withdraw-title">
      <h2 id="withdraw-title"><xsl:value-of select="h:t('about.withdraw')"/></h2>
      <p><xsl:value-of select="h:t('about.withdraw_text')"/></p>
      <xsl:if test="/page/receipts/@href">
        <p>
          <a href="{/page/receipts/@href}"><xsl:value-of select="h:t('about.receipt')"/></a>
        </p>
      </xsl:if>
    </section>
  </xsl:template>

  <!-- ==== search ======================================================== -->

  <!--
    The form is hidden until search.js shows it: without JavaScript the page
    offers the theme and tag pages. The script reads the index's shape and
    every string it shows from the form's data- attributes.
  -->
  <xsl:template name="page-search">
    <xsl:variable name="se" select="/page/search"/>
    <h1><xsl:value-of select="h:t('search.title')"/></h1>
    <form class="search-form" id="search-form" role="search" hidden="hidden"
          data-stories="{$se/@stories}" data-id-bits="{$se/@id-bits}"
          data-shard-bits="{$se/@shard-bits}" data-chunk-bits="{$se/@chunk-bits}"
          data-root="{$root}">
      <xsl:attribute name="data-s-results"><xsl:value-of select="h:t('search.found', '{n}')"/></xsl:attribute>
      <xsl:attribute name="data-s-one"><xsl:value-of select="h:t('search.found_one')"/></xsl:attribute>
      <xsl:attribute name="data-s-none"><xsl:value-of select="h:t('search.none')"/></xsl:attribute>
      <xsl:attribute name="data-s-hidden"><xsl:value-of select="h:t('search.hidden', '{n}')"/></xsl:attribute>
      <xsl:attribute name="data-s-loading"><xsl:value-of select="h:t('search.loading')"/></xsl:attribute>
      <xsl:attribute name="data-s-error"><xsl:value-of select="h:t('search.error')"/></xsl:attribute>
      <xsl:attribute name="data-s-more"><xsl:value-of select="h:t('search.more')"/></xsl:attribute>
      <xsl:attribute name="data-s-warnings"><xsl:value-of select="h:t('search.warnings')"/></xsl:attribute>
      <xsl:attribute name="data-s-kind-text"><xsl:value-of select="h:t('search.kind.text')"/></xsl:attribute>
      <xsl:attribute name="data-s-kind-art"><xsl:value-of select="h:t('search.kind.art')"/></xsl:attribute>
      <xsl:attribute name="data-s-kind-audio"><xsl:value-of select="h:t('search.kind.audio')"/></xsl:attribute>
      <xsl:attribute name="data-s-kind-music"><xsl:value-of select="h:t('search.kind.music')"/></xsl:attribute>
      <div class="search-field">
        <label for="search-q"><xsl:value-of select="h:t('search.label')"/></label>
        <input type="search" id="search-q" name="q" autocomplete="off" spellcheck="false"/>
        <button type="submit"><xsl:value-of select="h:t('search.button')"/></button>
      </div>
      <div class="search-filters">
        <div>
          <label for="search-kind"><xsl:value-of select="h:t('search.kind')"/></label>
          <select id="search-kind" name="kind">
            <option value=""><xsl:value-of select="h:t('search.kind.any')"/></option>
            <xsl:for-each select="$se/kinds/kind[@count &gt; 0]">
              <option value="{@slug}">
                <xsl:value-of select="h:t(concat('search.kind.', @slug))"/>
              </option>
            </xsl:for-each>
          </select>
        </div>
        <div>
          <label for="search-theme"><xsl:value-of select="h:t('search.theme')"/></label>
          <select id="search-theme" name="theme">
            <option value=""><xsl:value-of select="h:t('search.theme.any')"/></option>
            <xsl:for-each select="$se/themes/theme">
              <option value="{@slug}"><xsl:value-of select="."/></option>
            </xsl:for-each>
          </select>
        </div>
      </div>
      <xsl:if test="$se/warnings/warning">
        <fieldset class="search-hide">
          <legend><xsl:value-of select="h:t('search.hide')"/></legend>
          <p class="search-note"><xsl:value-of select="h:t('search.hide_note')"/></p>
          <ul>
            <xsl:for-each select="$se/warnings/warning">
              <li>
                <input type="checkbox" id="search-hide-{@slug}" name="hide" value="{@slug}"/>
                <label for="search-hide-{@slug}"><xsl:value-of select="."/></label>
              </li>
            </xsl:for-each>
          </ul>
        </fieldset>
      </xsl:if>
    </form>
    <p class="search-status" id="search-status" role="status" aria-live="polite"></p>
    <ol class="search-results" id="search-results"></ol>
    <section class="search-browse" aria-labelledby="search-browse-title">
      <h2 id="search-browse-title"><xsl:value-of select="h:t('search.browse')"/></h2>
      <xsl:if test="$se/themes/theme">
        <h3><xsl:value-of select="h:t('search.themes')"/></h3>
        <ul class="search-links">
          <xsl:for-each select="$se/themes/theme">
            <li><a href="{$root}themes/{@slug}/index.html"><xsl:value-of select="."/></a></li>
          </xsl:for-each>
        </ul>
      </xsl:if>
      <xsl:if test="$se/tags/tag">
        <h3><xsl:value-of select="h:t('search.tags')"/></h3>
        <ul class="search-links">
          <xsl:for-each select="$se/tags/tag">
            <li><a href="{$root}tags/{@slug}/index.html"><xsl:value-of select="."/></a></li>
          </xsl:for-each>
        </ul>
      </xsl:if>
      <p><a href="{$root}stories/index.html"><xsl:value-of select="h:t('nav.stories')"/></a></p>
    </section>
    <script src="{$root}search/search.js" defer="defer"></script>
  </xsl:template>

  <!-- ==== small parts =================================================== -->

  <!-- Items with an @href each, as links, separated by commas. -->
  <xsl:template name="link-list">
    <xsl:param name="items"/>
    <xsl:for-each select="$items">
      <xsl:if test="position() &gt; 1">, </xsl:if>
      <xsl:choose>
        <xsl:when test="@href">
          <a href="{$root}{@href}"><xsl:value-of select="."/></a>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>


  <!-- Context: a <story>. -->
  <xsl:template name="byline">
    <xsl:choose>
      <xsl:when test="@anonymous = 'yes' or not(byline)"><xsl:value-of select="h:t('byline.anonymous')"/></xsl:when>
      <xsl:when test="@byline-href">
        <!-- "By {1}" with the name as a link to the contributor's page -->
        <xsl:variable name="by" select="h:t('byline.by', '{1}')"/>
        <xsl:value-of select="substring-before($by, '{1}')"/>
        <a href="{$root}{@byline-href}"><xsl:value-of select="byline"/></a>
        <xsl:value-of select="substring-after($by, '{1}')"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="h:t('byline.by', byline)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!--
    A word of the theme's strings in the library's language (see the top of
    this file): $id, with $n1, $n2, $n3 put in for {1}, {2}, {3}.
  -->
  <xsl:template name="t">
    <xsl:param name="id"/>
    <xsl:param name="n1" select="''"/>
    <xsl:param name="n2" select="''"/>
    <xsl:param name="n3" select="''"/>
    <xsl:value-of select="h:t($id, string($n1), string($n2), string($n3))"/>
  </xsl:template>

  <!--
    lang="..." on the element being written when the story $story (the
    context by default) is in another language than the library (its
    lang attribute, see site-gen/view.c): only a story's own words are
    marked, never the page around them (WCAG 3.1.2). The default theme
    copies @lang itself, which is the same and costs less.
  -->
  <xsl:template name="content-lang">
    <xsl:param name="story" select="."/>
    <xsl:copy-of select="$story/@lang"/>
  </xsl:template>

  <xsl:template name="comma-list">
    <xsl:param name="items"/>
    <xsl:for-each select="$items">
      <xsl:if test="position() &gt; 1">, </xsl:if>
      <xsl:value-of select="."/>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
