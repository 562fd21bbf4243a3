#!/usr/bin/env bash
# Regenerate every media file of the Hearth demo content from scratch.
#
# Needs: ffmpeg (with lavfi, libvorbis, libopus, flac, png, mjpeg), ffprobe,
#        espeak-ng, awk.
# Usage: tools/make-demo-media.sh            (writes into ../content)
#
# Everything here is synthetic: narrations are espeak-ng reading short
# excerpts of the stories, music is built from sine waves, pictures are
# drawn with ffmpeg's lavfi sources and the geq/drawbox filters.
# Transcripts (WebVTT) are timed by synthesising each sentence on its own,
# measuring it with ffprobe, and concatenating the pieces, so every cue
# starts exactly where its sentence starts.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
content=$(cd "$here/../content" && pwd)
stories="$content/stories"

for tool in ffmpeg ffprobe espeak-ng awk; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing tool: $tool" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Quiet, non-interactive, and as reproducible as ffmpeg allows
# (no encoder version strings or random Ogg serial numbers).
ff() {
    ffmpeg -hide_banner -loglevel error -nostdin -y "$@"
}
BITEXACT=(-fflags +bitexact -flags:a +bitexact -flags:v +bitexact -map_metadata -1)

duration() {
    ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$1"
}

# vtt_time SECONDS -> HH:MM:SS.mmm
vtt_time() {
    awk -v s="$1" 'BEGIN {
        ms = int(s * 1000 + 0.5);
        h = int(ms / 3600000); ms -= h * 3600000;
        m = int(ms / 60000);   ms -= m * 60000;
        sec = int(ms / 1000);  ms -= sec * 1000;
        printf "%02d:%02d:%02d.%03d", h, m, sec, ms }'
}

# narrate SLUG VOICE FORMAT SENTENCE...
#   FORMAT: flac | opus | vorbis
# Writes stories/SLUG/narration.{flac,ogg} and stories/SLUG/narration.vtt.
narrate() {
    local slug=$1 voice=$2 format=$3
    shift 3
    local dir="$stories/$slug" work="$tmp/$slug"
    mkdir -p "$work"
    local list="$work/list.txt"
    : >"$list"
    local i=0 sentence
    local -a starts=() ends=()
    local t=0 d
    for sentence in "$@"; do
        i=$((i + 1))
        espeak-ng -v "$voice" -s 150 -w "$work/s$i.wav" "$sentence"
        d=$(duration "$work/s$i.wav")
        starts+=("$t")
        t=$(awk -v a="$t" -v b="$d" 'BEGIN { printf "%.3f", a + b }')
        ends+=("$t")
        printf "file '%s'\n" "$work/s$i.wav" >>"$list"
    done
    ff -f concat -safe 0 -i "$list" -c:a pcm_s16le "$work/all.wav"

    local out
    case $format in
        flac)
            out="$dir/narration.flac"
            ff -i "$work/all.wav" "${BITEXACT[@]}" -ac 1 -ar 22050 \
                -sample_fmt s16 -c:a flac -compression_level 12 "$out" ;;
        opus)
            out="$dir/narration.ogg"
            ff -i "$work/all.wav" "${BITEXACT[@]}" -ac 1 -ar 24000 \
                -c:a libopus -b:a 24k -application voip "$out" ;;
        vorbis)
            out="$dir/narration.ogg"
            ff -i "$work/all.wav" "${BITEXACT[@]}" -ac 1 -ar 22050 \
                -c:a libvorbis -q:a 1 "$out" ;;
        *) echo "unknown format $format" >&2; exit 1 ;;
    esac

    # Cues may not run past the end of the encoded audio.
    local total
    total=$(awk -v a="$(duration "$out")" -v b="$t" \
        'BEGIN { x = (a < b) ? a : b; printf "%.3f", x - 0.010 }')

    local vtt="$dir/narration.vtt" n=0 start end
    {
        printf 'WEBVTT\n'
        for sentence in "$@"; do
            start=${starts[$n]}
            end=$(awk -v e="${ends[$n]}" -v m="$total" \
                'BEGIN { printf "%.3f", (e < m) ? e : m }')
            n=$((n + 1))
            printf '\n%d\n%s --> %s\n%s\n' "$n" "$(vtt_time "$start")" \
                "$(vtt_time "$end")" "$sentence"
        done
    } >"$vtt"
    echo "narrated $slug ($format, $(duration "$out") s, $n cues)"
}

# lookup VAR V0 V1 V2 ... -> if(eq(VAR,0),V0,if(eq(VAR,1),V1,...,Vn))
lookup() {
    local var=$1
    shift
    local n=$# i=0 expr="" close=""
    for v in "$@"; do
        if [ $i -eq $((n - 1)) ]; then
            expr+="$v"
        else
            expr+="if(eq($var,$i),$v,"
            close+=")"
        fi
        i=$((i + 1))
    done
    printf '%s%s' "$expr" "$close"
}

# chord F1 F2 ... -> sum of sines, each with a soft second harmonic
chord() {
    local expr="" f
    for f in "$@"; do
        expr+="${expr:+ + }(sin(2*PI*$f*t)+0.2*sin(4*PI*$f*t))"
    done
    printf '(%s)' "$expr"
}

# ---------------------------------------------------------------- narration

narrate learning-to-listen en-gb+f3 opus \
    "The first thing they asked us to do on the peer support course was sit in pairs and say nothing for a full minute." \
    "I thought it would be easy." \
    "I have spent a lot of my life being quiet." \
    "But this was a different kind of quiet: not hiding, just waiting." \
    "Our trainer, Marguerite, said something in that first week that I wrote on the inside cover of my notebook." \
    "You don't have to fix it. You have to be there while it's being felt." \
    "My own lived experience is still part of how I support people." \
    "But now I share it when it helps the other person, not when it helps me feel useful." \
    "That's a small difference on paper. In the room, it's everything."

narrate first-group-i-facilitated en-gb flac \
    "I had a plan for my first group." \
    "It was typed, printed and laminated, which tells you most of what you need to know about how nervous I was." \
    "Seven people came." \
    "The check-in round took forty minutes." \
    "Every person who spoke made it a little easier for the next person to say something true." \
    "I looked down at my laminated sheet and realised that my plan was for a different, imaginary group." \
    "The real one was already happening." \
    "I still bring a plan." \
    "But now I hold it loosely, and I trust the room a little more than I trust the paper."

narrate a-hard-tuesday en-us vorbis \
    "I want to write about a bad day, because I don't think we hear enough about bad days that end okay." \
    "The first feeling was shame, really sharp." \
    "The second feeling was fear." \
    "I texted a friend from my old support group two words: hard day." \
    "She phoned me within ten minutes." \
    "The urge faded. It didn't vanish in a moment; it shrank gradually, like a wave going out." \
    "Being a peer worker doesn't mean I never struggle." \
    "It means I know what helps, and I'm allowed to use it too." \
    "If you are having a hard day yourself, you don't have to hold it alone."

narrate being-asked-what-i-think en-us+f2 flac \
    "For most of my adult life, people in services asked me questions about myself." \
    "But they were always questions about me, never questions for me." \
    "The lead psychologist turned to me and said: Nadia, from your point of view, what would you have wanted to read?" \
    "So I told her." \
    "I would have wanted fewer words." \
    "I would have wanted the phone number on the front, not the back." \
    "And I would have wanted it to say, somewhere: You are not a burden for calling." \
    "All three of those things are on the new leaflet." \
    "I've stopped saying whatever you think is best, because I've learned that what I think is part of what's best."

# -------------------------------------------------------------------- music

# Morning song: C - Am - F - G, four seconds each, round twice and home to C.
# Each chord swells in while the previous one fades (continuous phase, so no
# clicks); a soft plucked pentatonic tune plays over the middle section.
C=$(chord 130.81 261.63 329.63 392.00)
AM=$(chord 110.00 220.00 261.63 329.63)
F=$(chord 87.31 174.61 220.00 261.63)
G=$(chord 98.00 196.00 246.94 293.66)
cur=$(lookup 'mod(floor(t/4),4)' "$C" "$AM" "$F" "$G")
prev=$(lookup 'mod(floor(t/4)+3,4)' "$C" "$AM" "$F" "$G")
pad="(0.07*(1-exp(-3*mod(t,4)))*$cur + 0.07*gte(t,4)*exp(-3*mod(t,4))*$prev)"
#          C: E5 G5 C6 G5   Am: A5 E5 C5 E5   F: F5 A5 C6 A5   G: G5 D5 B4 D5
tune=$(lookup 'mod(floor(t),16)' \
    659.25 783.99 1046.50 783.99  880.00 659.25 523.25 659.25 \
    698.46 880.00 1046.50 880.00  783.99 587.33 493.88 587.33)
pluck="(between(t,4,33)*exp(-2.2*mod(t,1))*min(1,mod(t,1)*40)*min(1,(1-mod(t,1))*8)*sin(2*PI*$tune*t))"
ff -f lavfi -i "aevalsrc='$pad + 0.16*$pluck|$pad + 0.10*$pluck':s=44100:d=36" \
    "${BITEXACT[@]}" \
    -af "aecho=0.8:0.6:90|170:0.25|0.15,afade=t=in:d=2,afade=t=out:st=31:d=5,volume=3.3" \
    -ac 2 -c:a libvorbis -b:a 64k "$stories/morning-song/morning-song.ogg"
echo "made morning-song.ogg"

# What the tide knows: a low D drone, a chord that swells and ebbs like waves
# every eight seconds (Dmaj7, Gmaj7, Dmaj7, Gmaj7/A ...), changing only at the
# silent trough, and a few high "gull" notes that glide gently downwards.
DM7=$(chord 146.83 220.00 277.18 369.99)
GM7=$(chord 196.00 246.94 293.66 369.99)
drone="(0.10*sin(2*PI*73.42*t) + 0.05*sin(2*PI*110.00*t))"
swell="(0.5-0.5*cos(2*PI*t/8))"
waves="(0.075*$swell*$(lookup 'mod(floor(t/8),2)' "$DM7" "$GM7"))"
gullf=$(lookup 'mod(floor(t/2),8)' 0 880.00 0 1174.66 739.99 0 1318.51 987.77)
gull="(between(t,4,28)*exp(-1.6*mod(t,2))*min(1,mod(t,2)*30)*min(1,(2-mod(t,2))*4)*sin(2*PI*$gullf*(mod(t,2)-0.02*mod(t,2)*mod(t,2))))"
ff -f lavfi -i "aevalsrc='$drone + $waves + 0.10*$gull*mod(floor(t/2),2)+ 0.04*$gull|$drone + $waves + 0.10*$gull*(1-mod(floor(t/2),2)) + 0.04*$gull':s=44100:d=34" \
    "${BITEXACT[@]}" \
    -af "aecho=0.8:0.7:120|230:0.3|0.2,afade=t=in:d=3,afade=t=out:st=28:d=6,volume=2.8" \
    -ac 2 -c:a libvorbis -b:a 64k "$stories/what-the-tide-knows/tide.ogg"
echo "made tide.ogg"

# --------------------------------------------------------------------- art

# Learning to listen: two soft overlapping circles, amber and teal, on a
# deep blue background fading to violet at the top.
W=960 H=640
bg_r="(20+70*(1-Y/H))" bg_g="(24+10*(1-Y/H))" bg_b="(70+50*(1-Y/H))"
a1="clip((260-hypot(X-390,Y-330))/40,0,1)"
a2="clip((260-hypot(X-570,Y-330))/40,0,1)"
mix() { # mix BASE COLOUR ALPHA
    printf '(%s*(1-%s)+%s*%s)' "$1" "$3" "$2" "$3"
}
r=$(mix "$(mix "$bg_r" 235 "0.85*$a1")" 40 "0.65*$a2")
g=$(mix "$(mix "$bg_g" 160 "0.85*$a1")" 175 "0.65*$a2")
b=$(mix "$(mix "$bg_b" 60 "0.85*$a1")" 170 "0.65*$a2")
ff -f lavfi -i "color=c=black:s=${W}x${H}:d=1,format=rgb24,geq=r='$r':g='$g':b='$b'" \
    "${BITEXACT[@]}" -frames:v 1 -c:v png -pred mixed \
    "$stories/learning-to-listen/listening.png"
echo "made listening.png"

# The garden table: seen from above, a wooden table on a striped lawn with
# seven brightly coloured round "people" around it.
W=960 H=720
people=( # x y r g b
    370 180 240 110 90
    480 170 245 200 60
    590 180 90 160 230
    265 360 170 120 210
    695 360 245 150 50
    410 545 235 120 170
    550 545 250 240 220
)
lawn_r="(70+12*mod(floor(X/96),2))"
lawn_g="(140+18*mod(floor(X/96),2))"
lawn_b="(60+8*mod(floor(X/96),2))"
circles() { # circles CHANNEL-INDEX DEFAULT
    local ch=$1 expr=$2 k
    for ((k = 0; k < ${#people[@]}; k += 5)); do
        expr="if(lt(hypot(X-${people[k]},Y-${people[k+1]}),48),${people[k+2+ch]},$expr)"
    done
    printf '%s' "$expr"
}
ff -f lavfi -i "color=c=black:s=${W}x${H}:d=1,format=rgb24,geq=r='$(circles 0 "$lawn_r")':g='$(circles 1 "$lawn_g")':b='$(circles 2 "$lawn_b")',drawbox=x=330:y=250:w=300:h=220:color=0x8a5a35:t=fill,drawbox=x=330:y=250:w=300:h=220:color=0x5e3a1f:t=6,drawbox=x=330:y=320:w=300:h=3:color=0x6f4526:t=fill,drawbox=x=330:y=395:w=300:h=3:color=0x6f4526:t=fill" \
    "${BITEXACT[@]}" -frames:v 1 -c:v png -pred mixed \
    "$stories/the-garden-table/garden-table.png"
echo "made garden-table.png"

# What the tide knows: evening sky, sea with soft rippling lines, warm sand.
W=1000 H=625
sky=200 shore=470
ripple="clip(sin(Y*0.35+5*sin(X/70+Y/25))-0.75,0,0.25)*4"
tr="if(lt(Y,$sky),235-40*Y/$sky,if(lt(Y,$shore),30+40*$ripple,225-20*(Y-$shore)/(H-$shore)))"
tg="if(lt(Y,$sky),200+10*Y/$sky,if(lt(Y,$shore),70+20*(Y-$sky)/($shore-$sky)+70*$ripple,195-20*(Y-$shore)/(H-$shore)))"
tb="if(lt(Y,$sky),190+40*Y/$sky,if(lt(Y,$shore),140-30*(Y-$sky)/($shore-$sky)+60*$ripple,150-20*(Y-$shore)/(H-$shore)))"
ff -f lavfi -i "color=c=black:s=${W}x${H}:d=1,format=rgb24,geq=r='$tr':g='$tg':b='$tb',format=yuvj444p" \
    "${BITEXACT[@]}" -frames:v 1 -c:v mjpeg -q:v 4 \
    "$stories/what-the-tide-knows/tide.jpg"
echo "made tide.jpg"

# Podcast cover (1400x1400 RGB JPEG): a warm glowing hearth - a radial glow
# of amber and red with soft rings, and a circle of small figures around it.
W=1400 H=1400
dist="hypot(X-700,Y-760)"
ring="(0.5+0.5*cos($dist/28))*clip(1-$dist/900,0,1)"
cr="clip(255*exp(-$dist/520)+60+25*$ring,0,255)"
cg="clip(190*exp(-$dist/380)+25+15*$ring,0,255)"
cb="clip(70*exp(-$dist/250)+40+10*$ring,0,255)"
figs=""
for k in 0 1 2 3 4 5 6 7 8; do
    # nine figures evenly spaced on a circle of radius 470 around the glow
    fx=$(awk -v k=$k 'BEGIN { printf "%d", 700 + 470 * cos(k * 2 * 3.14159265 / 9 - 3.14159265 / 2) }')
    fy=$(awk -v k=$k 'BEGIN { printf "%d", 760 + 470 * sin(k * 2 * 3.14159265 / 9 - 3.14159265 / 2) }')
    figs+="+lt(hypot(X-$fx,Y-$fy),55)"
done
fig="gt(0$figs,0)"
ff -f lavfi -i "color=c=black:s=${W}x${H}:d=1,format=rgb24,geq=r='if($fig,250,$cr)':g='if($fig,225,$cg)':b='if($fig,190,$cb)',format=yuvj444p" \
    "${BITEXACT[@]}" -frames:v 1 -c:v mjpeg -q:v 5 \
    "$content/cover.jpg"
echo "made cover.jpg"

du -sb "$content"
