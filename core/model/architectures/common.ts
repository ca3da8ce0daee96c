// What every architecture derives from the run config: the encoder, the ASPP / decoder
// configurations with `model.width` applied to every channel count, and the one place where
// `model.aspp` and `model.skip` choose between DeepLabV3+'s modules and the course template's.
import type { ModelConfig } from '../../api/config/schema.ts';
import { Aspp, type AsppConfig } from '../aspp.ts';
import { AsppTemplate } from '../asppTemplate.ts';
import { Decoder, type DecoderConfig } from '../decoder.ts';
import { DecoderTemplate } from '../decoderTemplate.ts';
import { DenseHead, type AsppModule, type DecoderModule } from '../heads.ts';
import { scaleChannels, type Rng } from '../init.ts';
import { ResNet } from '../resnet.ts';

/** DeepLabV3+ widths at model.width = 1. */
export const ASPP_CHANNELS = 256;
export const SKIP_CHANNELS = 48;
export const DECODER_CHANNELS = 256;

export function buildEncoder(rng: Rng, cfg: ModelConfig): ResNet {
  return new ResNet(rng, {
    name: cfg.encoder,
    width: cfg.width,
    dilation: cfg.dilation,
    se: cfg.se === 'encoder' || cfg.se === 'both',
    strideIn1x1: cfg.strideIn1x1,
  });
}

export function headConfigs(cfg: ModelConfig, encoder: ResNet): { aspp: AsppConfig; decoder: DecoderConfig } {
  if (cfg.extraSkips && !cfg.skip)
    throw new Error('model.extraSkips needs model.skip = true (the extra skips feed the DeepLabV3+ decoder)');
  const seDecoder = cfg.se === 'decoder' || cfg.se === 'both';
  const channels = scaleChannels(ASPP_CHANNELS, cfg.width);
  const [layer1, layer2, layer3, layer4] = encoder.features;
  const aspp: AsppConfig = {
    inChannels: layer4.channels,
    channels,
    rates: cfg.asppRates,
    dropout: cfg.asppDropout,
    se: seDecoder,
  };
  const decoder: DecoderConfig = {
    inChannels: channels,
    skipInChannels: cfg.extraSkips ? [layer1.channels, layer2.channels, layer3.channels] : [layer1.channels],
    skipChannels: scaleChannels(SKIP_CHANNELS, cfg.width),
    channels: scaleChannels(DECODER_CHANNELS, cfg.width),
    se: seDecoder,
  };
  return { aspp, decoder };
}

/** DeepLabV3's ASPP (model.aspp = true) or the template's 1×1 projection. */
export function buildAspp(rng: Rng, cfg: ModelConfig, aspp: AsppConfig): AsppModule {
  return cfg.aspp ? new Aspp(rng, aspp) : new AsppTemplate(rng, aspp);
}

/** DeepLabV3+'s decoder (model.skip = true) or the template's upsampling. */
export function buildDecoder(rng: Rng, cfg: ModelConfig, decoder: DecoderConfig): DecoderModule {
  return cfg.skip ? new Decoder(rng, decoder) : new DecoderTemplate(rng, decoder);
}

/** One task's own ASPP → decoder → prediction conv (the branched and distilled architectures). */
export function buildTaskHead(
  rng: Rng,
  cfg: ModelConfig,
  parts: { aspp: AsppConfig; decoder: DecoderConfig },
  outputs: number,
): DenseHead {
  return new DenseHead(
    rng,
    buildAspp(rng, cfg, parts.aspp),
    buildDecoder(rng, cfg, parts.decoder),
    outputs,
    cfg.extraSkips,
  );
}
