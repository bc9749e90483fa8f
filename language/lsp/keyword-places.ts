// Where the hierarchy's keywords make sense: the block the cursor is in decides whether `region`, `history` or `done` fits.
import { CstUtils, GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import { isMachine, isRegion, isState, type Machine, type Region, type State } from '../generated/ast.js';
import { isComposite } from '../ast/hierarchy.js';

/** What a `{ … }` that holds states can be. */
export type Block = Machine | State | Region;

function isBlock(node: AstNode): node is Block {
    return isMachine(node) || isState(node) || isRegion(node);
}

/** The innermost machine, state or region whose braces hold `offset` (an unclosed `{` holds everything after it). */
export function blockAt(document: LangiumDocument, offset: number): Block | undefined {
    const root = document.parseResult.value.$cstNode;
    const leaf = root && CstUtils.findLeafNodeBeforeOffset(root, offset);
    for (let node: AstNode | undefined = leaf?.astNode; node; node = node.$container) {
        if (!isBlock(node)) {
            continue;
        }
        const open = GrammarUtils.findNodeForKeyword(node.$cstNode, '{');
        const close = GrammarUtils.findNodeForKeyword(node.$cstNode, '}');
        if (open && open.end <= offset && (!close || close.offset >= offset)) {
            return node;
        }
    }
    return undefined;
}

/**
 * Whether the keyword `word` of the grammar rule `rule` fits directly inside `block`:
 * - `region` only in a parallel state, which holds nothing but regions (so no `state`, `initial`, `final` or
 *   `parallel` there);
 * - `history` and `deep` in a composite state (one that holds states) or a region;
 * - `done` (in `on done`) in a state with states or regions: only those complete.
 * Every other keyword fits wherever the grammar puts it.
 */
export function fitsBlock(rule: string | undefined, word: string, block: Block | undefined): boolean {
    if (block === undefined) {
        return true;
    }
    const parallel = isState(block) && block.parallel;
    switch (`${rule}:${word}`) {
        case 'Region:region':
            return parallel;
        case 'State:state':
        case 'State:initial':
        case 'State:final':
        case 'State:parallel':
            return !parallel;
        case 'History:history':
        case 'History:deep':
            return isRegion(block) || (isState(block) && !block.parallel && isComposite(block));
        case 'Transition:done':
            return isState(block) && isComposite(block);
        default:
            return true;
    }
}

