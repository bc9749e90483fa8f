// Vertical layout: each rank's band, and between two ranks a channel with one horizontal track per non-overlapping run of links.
import { SPACING } from '../spacing.js';
import type { Link } from './links.js';
import type { RankGraph } from './rank-graph.js';

/** Tracks of a channel are this far apart; a channel is never lower than MIN_CHANNEL. */
const TRACK_GAP = 10;
const MIN_CHANNEL = SPACING.edgeNode;

export interface Rows {
    /** Top and height of each rank's band. */
    bandTop: number[];
    bandHeight: number[];
    /** y of the horizontal run of each link that needs one. */
    trackY: Map<Link, number>;
    /** Bottom of the last band plus padding. */
    height: number;
}

/**
 * Gives every link whose ends are not in line a track in its channel: links sorted by their left end, each on the
 * first track whose last run ends far enough to its left (the left-edge algorithm of channel routing).
 */
function assignTracks(links: readonly Link[]): { tracks: Map<Link, number>; count: number } {
    const runs = links
        .filter((link) => Math.abs(link.upperX - link.lowerX) > 0.01)
        .map((link) => ({ link, from: Math.min(link.upperX, link.lowerX), to: Math.max(link.upperX, link.lowerX) }))
        .sort((a, b) => a.from - b.from || a.to - b.to);
    const ends: number[] = [];
    const tracks = new Map<Link, number>();
    for (const run of runs) {
        let track = ends.findIndex((end) => end + SPACING.edgeEdge <= run.from);
        if (track < 0) {
            track = ends.length;
        }
        ends[track] = run.to;
        tracks.set(run.link, track);
    }
    return { tracks, count: ends.length };
}

export function stackRanks(graph: RankGraph, links: readonly Link[]): Rows {
    const { items, ranks } = graph;
    const bandHeight = ranks.map((row) => row.reduce((height, at) => Math.max(height, items[at]!.height), 0));
    const byChannel: Link[][] = ranks.map(() => []);
    for (const link of links) {
        byChannel[items[link.upper]!.rank]!.push(link);
    }
    const bandTop: number[] = [];
    const trackY = new Map<Link, number>();
    let y = SPACING.padding;
    ranks.forEach((_, rank) => {
        bandTop.push(y);
        y += bandHeight[rank]!;
        if (rank + 1 < ranks.length) {
            const { tracks, count } = assignTracks(byChannel[rank]!);
            const height = Math.max(MIN_CHANNEL, (count + 1) * TRACK_GAP);
            for (const [link, track] of tracks) {
                trackY.set(link, y + ((track + 1) * height) / (count + 1));
            }
            y += height;
        }
    });
    return { bandTop, bandHeight, trackY, height: y + SPACING.padding };
}
